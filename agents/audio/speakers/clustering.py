"""Two voices or one: the pieces put into two clusters, and a test of whether the split is real."""

from __future__ import annotations

import numpy as np

from agents.audio.speakers.features import FEATURE_WEIGHTS

# Is it two voices or one? k-means always finds two clusters, and with few pieces in 15
# dimensions even one voice splits cleanly by chance. So the split's separation (Fisher
# ratio along the line joining the two centroids) is compared with what the same procedure
# finds on a single Gaussian of the same size and covariance (a gap statistic): two voices
# when it beats that null's 95th percentile by NULL_MARGIN. On synthesized calls one voice
# scored 0.3-0.9x that percentile and two voices (even two men 20 Hz apart) 1.4-8x.
MIN_SEPARATION = 3.0
NULL_MARGIN = 1.1
_NULL_DRAWS = 100
# Below this many usable pieces there is too little evidence for a second voice.
MIN_PIECES = 6


def split_two_voices(points: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray | None, float, float]:
    """Cluster the pieces' features (one row per piece, weighted by its loud speaking time)
    into two voices: the labels (None when the split is no better than one voice would give by
    chance), the split's separation and the separation it needed."""
    centre = np.average(points, axis=0, weights=weights)
    scale = np.sqrt(np.average((points - centre) ** 2, axis=0, weights=weights))
    points = (points - centre) / np.maximum(scale, 1e-6)
    points *= FEATURE_WEIGHTS
    labels = kmeans_two(points, weights)
    separation = separation_of(points, weights, labels)
    separation_needed = max(MIN_SEPARATION, NULL_MARGIN * null_separation(points, weights))
    return (labels if separation > separation_needed else None), separation, separation_needed


def kmeans_two(points: np.ndarray, weights: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Weighted two-means, started from the split along the first principal component.

    The principal axis's sign is fixed (largest component positive), so the start, and
    therefore the result, does not depend on the order of the pieces or on LAPACK.
    """
    centre = np.average(points, axis=0, weights=weights)
    _, _, vt = np.linalg.svd((points - centre) * np.sqrt(weights)[:, None], full_matrices=False)
    axis = vt[0] * np.sign(vt[0][np.argmax(np.abs(vt[0]))])
    labels = ((points - centre) @ axis > 0).astype(int)
    for _ in range(iterations):
        if labels.min() == labels.max():
            break
        centroids = np.stack([np.average(points[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        distances = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        new_labels = distances.argmin(axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return labels


def separation_of(points: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> float:
    if labels.min() == labels.max():
        return 0.0
    means = [np.average(points[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)]
    direction = means[1] - means[0]
    distance = float(np.linalg.norm(direction))
    if distance == 0:
        return 0.0
    projected = points @ (direction / distance)
    spread = 0.0
    for k in (0, 1):
        values, w = projected[labels == k], weights[labels == k]
        spread += float(np.sum(w * (values - np.average(values, weights=w)) ** 2))
    pooled = np.sqrt(spread / float(weights.sum()))
    return distance / max(pooled, 1e-6)


def null_separation(points: np.ndarray, weights: np.ndarray) -> float:
    """95th percentile of the separation that k-means finds in one Gaussian voice shaped like
    ``points``. Seeded, so the decision is deterministic."""
    rng = np.random.default_rng(20_240_917)
    covariance = np.cov(points.T, aweights=weights)
    scores = []
    for _ in range(_NULL_DRAWS):
        fake = rng.multivariate_normal(np.zeros(points.shape[1]), covariance, size=points.shape[0], method="eigh")
        scores.append(separation_of(fake, weights, kmeans_two(fake, weights)))
    return float(np.percentile(scores, 95))
