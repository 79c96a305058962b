"""Temporal client facades: one connect, one class per workflow (project, group, semester, departure)."""
