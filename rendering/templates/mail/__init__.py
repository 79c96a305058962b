"""Jinja2 templates of the mails (one per notice template name) and their text/HTML layouts."""
