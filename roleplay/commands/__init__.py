"""One module per group of CLI commands; `roleplay/cli.py` imports them lazily."""
