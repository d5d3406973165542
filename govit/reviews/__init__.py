"""The expert pool, review meetings, reproducible expert draws, experts' opinions and scores."""
