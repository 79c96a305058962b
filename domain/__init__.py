"""Pure rules and types of the Social Practice course (SPEC §2-§3): no I/O, safe in the workflow sandbox."""
