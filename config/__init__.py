"""Ground floor: the one settings object and the one logging setup."""
