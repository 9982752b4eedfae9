from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now so the
    # groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from adminpanel.permissions import sync_staff_groups

    sync_staff_groups(apps)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["support", "administrators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("adminpanel", "0003_notes_login_failures"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("champions", "__first__"),
        ("training", "__first__"),
        ("auditlog", "__first__"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
