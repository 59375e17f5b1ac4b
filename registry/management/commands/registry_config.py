import secrets

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand

from registry import registry


class Command(BaseCommand):
    help = "Print the configuration of the course registry (creating the token-signing key on first use)."

    def handle(self, *args, **options):
        registry.signing_key()
        data_dir = settings.REGISTRY_DATA_DIR
        config = {
            "version": 0.1,
            "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(data_dir / "storage")}, "delete": {"enabled": True}},
            "http": {"addr": settings.REGISTRY_HOST, "secret": secrets.token_urlsafe(32),
                     "headers": {"X-Content-Type-Options": ["nosniff"]}},
            "auth": {"token": {
                "realm": settings.REGISTRY_REALM,
                "service": registry.SERVICE,
                "issuer": registry.ISSUER,
                "rootcertbundle": str(registry.key_directory() / "token.crt"),
            }},
        }
        self.stdout.write(yaml.safe_dump(config, sort_keys=False))
