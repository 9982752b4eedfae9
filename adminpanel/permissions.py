"""The two staff groups (issue: staff admin). Support reads everything and handles notes,
errors and alerts; administrators may do everything. Superusers are above both.

Created by a data migration and kept in sync after every ``migrate`` (models added later get
their permissions too).
"""

from __future__ import annotations

SUPPORT = "support"
ADMINISTRATORS = "administrators"

# Beyond "view" on every model, what support may change.
SUPPORT_EXTRA_PERMISSIONS = {
    ("adminpanel", "add_adminnote"),
    ("adminpanel", "change_adminnote"),
    ("adminpanel", "delete_adminnote"),
    ("adminpanel", "change_errorlog"),  # resolve
    ("adminpanel", "change_adminalert"),  # read, dismiss
}
# Apps support may not even view: simplejwt's token tables hold the refresh tokens themselves.
SUPPORT_HIDDEN_APPS = {"token_blacklist"}


def sync_staff_groups(apps=None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    everything = Permission.objects.select_related("content_type")
    support, _ = Group.objects.get_or_create(name=SUPPORT)
    administrators, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    administrators.permissions.set(everything)
    support.permissions.set(
        [
            p
            for p in everything
            if (p.codename.startswith("view_") and p.content_type.app_label not in SUPPORT_HIDDEN_APPS)
            or (p.content_type.app_label, p.codename) in SUPPORT_EXTRA_PERMISSIONS
        ]
    )


def sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate: runs once per ``migrate``; makes the permissions of every app first (this
    app's signal may come before the other apps' own permission creation)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    sync_staff_groups()
