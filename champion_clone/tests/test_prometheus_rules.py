"""The sample Prometheus files (deploy/prometheus/, README.md, "Monitoring"): every metric an
alert rule reads is one this code exposes, with labels it has. CI also runs
``promtool check rules`` and ``promtool test rules`` on them (.ci/run)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings
from prometheus_client import REGISTRY

from core.metrics import scrape

DEPLOY = Path(settings.BASE_DIR) / "deploy" / "prometheus"
SELECTOR = re.compile(r"\b(champion_clone_[a-z_]+)(?:\{([^}]*)\})?")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exposed_series() -> dict[str, set[str]]:
    """Sample name -> its label names, as /metrics writes them."""
    series: dict[str, set[str]] = {}
    for metric in list(REGISTRY._collector_to_names):  # the defined metrics themselves
        name, kind = getattr(metric, "_name", ""), getattr(metric, "_type", "")
        if name.startswith("champion_clone_"):
            for suffix in SUFFIXES[kind]:
                series[name + suffix] = set(metric._labelnames) | ({"le"} if suffix == "_bucket" else set())
    for gauge in scrape.registered():
        series[gauge.name] = {gauge.label}
    return series


def rules() -> list[dict]:
    groups = yaml.safe_load((DEPLOY / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_the_rules_cover_the_alerts_the_issue_asks_for():
    names = {rule["alert"] for rule in rules()}
    assert {
        "ChampionCloneQueueBackingUp",
        "ChampionClonePipelineFailures",
        "ChampionCloneWebhookFailures",
        "ChampionCloneJudgeFallback",
    } <= names
    for rule in rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_every_rule_reads_metrics_and_labels_that_exist(db):
    series = exposed_series()
    for rule in rules():
        found = SELECTOR.findall(rule["expr"])
        assert found, rule["alert"]
        for name, matchers in found:
            assert name in series, (rule["alert"], name)
            used = {matcher.split("=")[0].strip(" !~") for matcher in matchers.split(",") if matcher.strip()}
            assert used <= series[name], (rule["alert"], name, used - series[name])


def test_the_scrape_config_sends_the_bearer_token():
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"]["type"] == "Bearer" and job["authorization"]["credentials_file"]
    assert config["rule_files"] == ["alerts.yml"]
