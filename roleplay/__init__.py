"""roleplay: Dutch customer-service role-play training with a checklist judge."""

__version__ = "0.1.0"
