from django.db import migrations, models


def number_each_learners_attempts(apps, schema_editor):
    """Attempts from before are numbered per learner and exercise in the order they were made."""
    attempt = apps.get_model("attempts", "Attempt")
    counts: dict[tuple[int, int], int] = {}
    for row in attempt.objects.order_by("id").only("id", "user_id", "exercise_id"):
        key = (row.user_id, row.exercise_id)
        counts[key] = counts.get(key, 0) + 1
        attempt.objects.filter(id=row.id).update(number=counts[key])


class Migration(migrations.Migration):

    dependencies = [
        ("attempts", "0004_file_modes"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="number",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(number_each_learners_attempts, migrations.RunPython.noop),
    ]
