"""Jinja2 pages the API serves as HTML: the action-link pages (SPEC §4) and the dev inbox (SPEC §5)."""
