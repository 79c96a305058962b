"""The `praxis` command line: the course office's commands (import, semester, token) and the processes it runs."""
