"""The official working-day calendar's years entered on the administration screen, stored in the
database so that every application server loads them into the engine (govit/policy/calendar.py)."""
