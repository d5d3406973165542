"""Operations: the production checks (`govit check`), backups and restores, the health probe."""
