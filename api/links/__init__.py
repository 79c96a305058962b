"""Action links (SPEC §4): what a mailed link may do and say (`rules`), and the page it opens (`page`)."""
