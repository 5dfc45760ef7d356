"""What draws: exercise pictures from the pose files, with matplotlib and Pillow.

Nothing in bot.core imports this package: the pose data stays pure, the drawing lives here.
"""
