from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AdminPanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from adminpanel import audit
        from adminpanel.middleware import mark_staff_login
        from adminpanel.permissions import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="adminpanel.staff_groups")
        user_logged_in.connect(mark_staff_login, dispatch_uid="adminpanel.staff_login_clock")
        audit.connect()


class ChampionCloneAdminConfig(AdminConfig):
    """The built-in admin, with our AdminSite as the default site."""

    default_site = "adminpanel.sites.ChampionCloneAdminSite"
