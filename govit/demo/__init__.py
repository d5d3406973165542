"""Builders for a working jurisdiction (used by the demo data and by the tests)."""
