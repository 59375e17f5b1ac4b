from django.db import migrations, models


def keep_how_earlier_files_were_built(apps, schema_editor):
    """Attempts and drafts from before were built with every file that starts with "#!" executable: they keep
    that bit, so a restored attempt builds as it did then."""
    for name in ("Attempt", "Draft"):
        model = apps.get_model("attempts", name)
        changed = []
        for row in model.objects.only("id", "files").iterator(chunk_size=500):
            row.executable = sorted(path for path, text in row.files.items() if text.startswith("#!"))
            if row.executable:
                changed.append(row)
        model.objects.bulk_update(changed, ["executable"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('attempts', '0003_leases_and_event_numbers'),
    ]

    operations = [
        migrations.AddField(
            model_name='attempt',
            name='executable',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='draft',
            name='executable',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(keep_how_earlier_files_were_built, migrations.RunPython.noop),
    ]
