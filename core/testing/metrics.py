"""Reading ``/metrics`` in tests: scrape it as Prometheus would and look samples up by name
and labels. Counters are shared by every test of the process, so tests compare before and after."""

from __future__ import annotations

from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

TEST_TOKEN = "test-metrics-token"  # noqa: S105 - the tests' own, set by their fixture

Samples = dict[tuple[str, frozenset], float]


def scrape(client: Client | None = None, *, token: str = TEST_TOKEN) -> Samples:
    response = (client or Client()).get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:300]
    samples: Samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample with exactly these labels, 0 when absent (a counter never incremented)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def names(samples: Samples) -> set[str]:
    return {name for name, _ in samples}


def recorded(name: str, **labels: str) -> float:
    """What this process recorded so far (not the other processes'), 0 when nothing: for
    tests that drive a service in-process and need an exact difference."""
    return REGISTRY.get_sample_value(name, labels) or 0.0
