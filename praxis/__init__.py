"""Praxis: the CLI, settings and logging shared by every process."""
