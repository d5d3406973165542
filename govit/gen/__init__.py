"""``govit gen``: province-scale benchmark data — people through the services, volume in bulk."""
