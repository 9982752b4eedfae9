"""The admin's scoring-health page: can reps trust the judge?

- :mod:`.figures`: what the page reads from the database (disputes, the gold set against the
  judgements stored, the latest measurements);
- :mod:`.measure`: the measurements of the offline judge a worker runs (its labelled set, the
  gold set and stored replies scored again);
- :mod:`.runs`: requesting a measurement and running it;
- :mod:`.views`: the page.
"""

from adminpanel.scoring_health.figures import page_figures
from adminpanel.scoring_health.measure import measure
from adminpanel.scoring_health.runs import scoring_health_request, scoring_health_run
from adminpanel.scoring_health.views import scoring_health_view

__all__ = ["measure", "page_figures", "scoring_health_request", "scoring_health_run", "scoring_health_view"]
