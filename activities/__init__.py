"""Activity classes: each receives its clients in __init__ and is registered by workers/main.py."""
