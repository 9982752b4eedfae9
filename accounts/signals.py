"""Signals of accounts for the apps built on it: accounts is the base and imports none of them."""

from django.dispatch import Signal

# Sent by ``user_delete`` inside its transaction, before the user's row goes: receivers remove
# what the user owns in their app (with its files), since a database cascade would leave them.
# Arguments: user.
user_deleting = Signal()
