"""Worker processes: build and run the Temporal worker(s)."""
