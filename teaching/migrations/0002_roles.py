"""The instructors' and learners' groups. Instructors may create and teach classes and manage deadlines and
extensions; learners hold no permission of their own, joining a class is open to anyone with its code."""
from django.db import migrations

INSTRUCTOR_PERMISSIONS = {
    "classroom": [("teach", "Can create classes and teach them"), ("add_classroom", "Can add classroom"),
                  ("change_classroom", "Can change classroom"), ("view_classroom", "Can view classroom")],
    "deadline": [(f"{action}_deadline", f"Can {action} deadline") for action in ("add", "change", "delete", "view")],
    "extension": [(f"{action}_extension", f"Can {action} extension")
                  for action in ("add", "change", "delete", "view")],
}


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    instructors, _ = Group.objects.get_or_create(name="instructors")
    Group.objects.get_or_create(name="learners")
    for model, permissions in INSTRUCTOR_PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="teaching", model=model)
        for codename, name in permissions:
            permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                             defaults={"name": name})
            instructors.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="learners").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("teaching", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
