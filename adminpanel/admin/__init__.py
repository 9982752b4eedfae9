"""The staff admin (replaces the report's 41 /admin/* endpoints; README has the mapping).

A package: one module per area, each registering its ModelAdmins on the default site.
"""

from adminpanel.admin import alerts, audit, logs, notes, users  # noqa: F401 - registers the ModelAdmins
