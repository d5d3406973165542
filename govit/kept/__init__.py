"""Kept reads: pages, API reads and the signed-in user answered from the cache while nothing they
were read from has changed; above access and organizations, told of changes by signals."""
