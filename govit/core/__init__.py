"""Small shared pieces: domain errors, the clock, digests."""
