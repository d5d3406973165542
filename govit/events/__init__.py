"""The event log: every state change, decision, upload and draw, appended and never rewritten."""
