"""Footcoach: a self-care coach for feet, ankles and calves."""
