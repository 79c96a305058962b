"""The HTTP API the university portal drives projects through (SPEC §4)."""
