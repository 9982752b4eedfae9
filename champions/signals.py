"""Signals of champions for the apps built on it: champions imports none of them."""

from django.dispatch import Signal

# Sent by ``champion_delete`` inside its transaction, before the champion's row goes. Each
# receiver returns the media files of its own that belong to the champion (relative names
# under MEDIA_ROOT); they are removed with the champion's after commit. Arguments: champion.
champion_deleting = Signal()
