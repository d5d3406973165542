"""In-app notifications (and their e-mail copies) that the background jobs send."""
