"""What the audio engines raise for a file that is not a usable recording."""

from __future__ import annotations


class UnreadableMedia(ValueError):
    """The file is not a recording PyAV can open and decode (text, truncated, empty...)."""


class NoAudioStream(UnreadableMedia):
    """The container opened, but it holds no decodable audio (e.g. a silent screen capture)."""
