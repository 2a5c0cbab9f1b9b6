"""Dispatch notifications: pluggable channels, stored attempts, a stored escalation plan.

- escalation.py: the pure timing rules (no ORM, no clock).
- base.py: the channel interface (one `send(context) -> Result`) and the loader of NOTIFY_CHANNELS.
- channels.py (websocket, desk, log), webpush.py, sms.py, voice.py, wecom.py: the channels.
- services.py: every write (timers, attempts, subscriptions); worker.py: the loop that runs due steps.
"""
