import os
import secrets

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand

from registry.registry import INSTRUCTORS_GROUP

DEMO_ACCOUNTS = (("instructor", True), ("learner", False))


class Command(BaseCommand):
    help = ("Create (or reset) the demo instructor and learner and print their logins. The password is "
            "LAYERLAB_DEMO_PASSWORD when set, otherwise a new random one each time.")

    def handle(self, *args, **options):
        password = os.environ.get("LAYERLAB_DEMO_PASSWORD") or secrets.token_urlsafe(9)
        instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        for username, is_instructor in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            if is_instructor:
                user.groups.add(instructors)
            self.stdout.write(f"Demo {username}: username {username!r}, password {password!r}")
