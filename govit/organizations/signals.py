"""What organizations tell the layers above them about accounts; kept reads (govit/kept) listen,
and nobody who sends names them."""

from django.dispatch import Signal

# These accounts changed: saved (``User.save``: active, password — also Django's re-hashing at
# sign-in), their roles, their expert entry, their notifications new or read (every page's header
# shows them). ``user_ids``: their ids.
account_changed = Signal()
