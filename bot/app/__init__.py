"""The application layer: services that run the pure core against the store and an outlet.

coach           one transaction per event around the dialogue engine
reminder_sender daily reminders, at most once per person and local day
staff_outbox    staff messages, at least once (a repeat is marked)
update_inbox    each person's updates applied once and in order, whichever worker got them
staff_desk      what admins see and do with callback requests
outlet          the port the senders deliver through, and its failures
clock, locks    the time the application reads, and per-person locks
"""
