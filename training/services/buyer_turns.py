"""The buyer's side of a champion's call, as the prospect answers from it: built once per
champion and analysis, then read from Django's cache on every turn.

Building it embeds every buyer line of the call (about a second for a 30-minute call), so it
happens when a session starts (or on the first turn after the cache lost it), never per reply.
The key names the analysis (a re-analysis gets new lines), the embedding model and the lines'
format version.
"""

from __future__ import annotations

from django.core.cache import cache

from agents.providers.embeddings import MODEL_ID, get_embedder
from agents.reasoning.listening.buyer_turns import BUYER_TURNS_VERSION, BuyerTurns, buyer_turns_from_transcript
from champions.models import Champion

# A week: an entry is rebuilt at most once a week per champion practised.
BUYER_TURNS_CACHE_SECONDS = 7 * 24 * 3600
# The buyer lines a language-model prospect gets in its brief at the opening, in call order.
OPENING_BUYER_LINES = 20


def champion_call_version(champion: Champion) -> str:
    """Names the champion's call as analysed: what is cached from its transcript is keyed by it."""
    updated = champion.updated_at.timestamp() if champion.updated_at else 0
    analysed = champion.analyzed_at.timestamp() if champion.analyzed_at else 0
    return f"{champion.pk}:{champion.analysis_run or '-'}:{analysed:.6f}:{updated:.6f}"


def buyer_turns_cache_key(champion: Champion) -> str:
    return f"training:buyer-turns:v{BUYER_TURNS_VERSION}:{MODEL_ID}:{champion_call_version(champion)}"


def champion_buyer_turns(champion: Champion) -> BuyerTurns:
    """The buyer's lines of ``champion``'s call with their embeddings (cached). Reads the
    transcript only on a cache miss."""
    key = buyer_turns_cache_key(champion)
    turns = cache.get(key)
    if isinstance(turns, BuyerTurns):
        return turns
    turns = buyer_turns_from_transcript(champion.parsed_transcript, embedder=get_embedder())
    cache.set(key, turns, BUYER_TURNS_CACHE_SECONDS)
    return turns
