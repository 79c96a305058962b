"""Mails of a group proposal (R9), rendered by activities.groupmail with the shared layouts."""
