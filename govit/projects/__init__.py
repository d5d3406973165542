"""Projects and the workflow that carries them through their rulebook's steps."""
