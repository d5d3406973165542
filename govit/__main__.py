"""``python -m govit`` is the ``govit`` command."""

from govit.cli import main

raise SystemExit(main())
