"""Helpers that make test recordings (synthesized calls, bad inputs) and score engines on them."""
