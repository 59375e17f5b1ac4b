"""The course registry's own records: a learner's password for `docker login`."""
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models


class RegistryPassword(models.Model):
    """A learner's password for `docker login` to the course registry, so that their site password never sits in a
    Docker config file. Only its hash is kept; the learner sees it once and can rotate it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry_password")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sandbox_registrypassword"  # the name from before the apps were split

    @staticmethod
    def _digest(password: str) -> str:
        # A fast hash is enough: the password is random and long, not chosen by a person.
        return hashlib.sha256(password.encode()).hexdigest()

    @classmethod
    def rotate(cls, user) -> str:
        """A new password for `user`, replacing any old one; returned once and never stored in the clear."""
        password = secrets.token_urlsafe(24)
        cls.objects.update_or_create(user=user, defaults={"digest": cls._digest(password)})
        return password

    @classmethod
    def matches(cls, user, password: str) -> bool:
        stored = cls.objects.filter(user=user).values_list("digest", flat=True).first()
        return stored is not None and hmac.compare_digest(stored, cls._digest(password))
