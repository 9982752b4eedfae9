from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class AdminPanelConfig(AppConfig):
    name = "adminpanel"
    verbose_name = "Operations"


class ChampionCloneAdminConfig(AdminConfig):
    """The built-in admin, with our AdminSite as the default site."""

    default_site = "adminpanel.sites.ChampionCloneAdminSite"
