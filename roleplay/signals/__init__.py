"""Behaviour signals in Dutch trainee and customer turns, each with the span that shows it.

The customer state (mood triggers) and the rule judge both read these; see `_vocabulary.py` for the ids.
"""

from ._detect import Signal, customer_signals, trainee_signals
from ._vocabulary import C, S, describe

__all__ = ["C", "S", "Signal", "customer_signals", "describe", "trainee_signals"]
