"""Penalties against projects, and vendors' credit records and the blacklist."""
