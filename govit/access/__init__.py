"""Permissions: see policy.py."""
