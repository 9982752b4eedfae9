"""The product's own settings, with one addition for ``benchmarks/bench_api.py``: a URLconf
that mounts a bare JSON view beside the real routes (same middleware), the baseline every
endpoint's throughput is compared with. Never used outside the benchmark."""

from champion_clone.settings import *  # noqa: F403

ROOT_URLCONF = "bench_site.urls"
