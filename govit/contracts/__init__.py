"""Procurement, contracts (with the rulebook's contract checks), payments, and changes."""
