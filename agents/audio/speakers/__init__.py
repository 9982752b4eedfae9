"""Who speaks when: the champion or the other party, from the voices themselves.

Used when the transcription vendor does not say. The transcript's segments are cut at the
silences inside them (a turn change almost always has one, and Whisper often runs two short
turns into one segment: :mod:`.pieces`), each piece is described by voice statistics (median
pitch, level, spectral centroid, the mean of MFCC-like cepstral coefficients: :mod:`.features`),
and the pieces are put into two clusters by k-means with a deterministic start (the split along
the first principal component), so the same recording always gets the same answer. When the
two clusters are not really different voices, the recording has one speaker and all of it is
the champion's (:mod:`.clustering`). The champion is the speaker with the most speaking time
unless the caller says it is the other one (:mod:`.attribution`).
"""

from __future__ import annotations

from agents.audio.speakers.attribution import CHAMPION, OTHER, SpeakerAttribution, assign_speakers
from agents.audio.speakers.clustering import MIN_PIECES, MIN_SEPARATION, NULL_MARGIN
from agents.audio.speakers.features import MIN_RELIABLE_SECONDS

__all__ = [
    "CHAMPION",
    "MIN_PIECES",
    "MIN_RELIABLE_SECONDS",
    "MIN_SEPARATION",
    "NULL_MARGIN",
    "OTHER",
    "SpeakerAttribution",
    "assign_speakers",
]
