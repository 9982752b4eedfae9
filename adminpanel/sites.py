from django.contrib import admin


class ChampionCloneAdminSite(admin.AdminSite):
    site_header = "Champion Clone"
    site_title = "Champion Clone"
    index_title = "Operations"
