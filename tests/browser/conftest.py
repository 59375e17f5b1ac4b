"""What the browser tests share: the site as it runs for real, with a learner who can log in."""
import os

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.servers import daphne


@pytest.fixture
def server(real_engine, course):
    """The product as it runs for real: Daphne with its embedded workers, on the test database; ada can log in."""
    User.objects.create_user("ada", password="correct horse battery")
    environment = {**os.environ, "LAYERLAB_DB_PATH": settings.DATABASES["default"]["NAME"],
                   "SANDBOX_REAP_INTERVAL": "0", "SANDBOX_WORKERS": "2"}
    with daphne(environment) as url:
        yield url
