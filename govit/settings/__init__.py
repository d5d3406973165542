"""Django settings: ``base`` for all, ``dev`` / ``test`` / ``prod`` on top. Values that differ per
deployment come from the environment (see govit/settings/env.py)."""
