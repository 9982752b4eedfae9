from django.apps import AppConfig


class EmailsAppConfig(AppConfig):
    name = "emails_app"
    verbose_name = "Emails"
