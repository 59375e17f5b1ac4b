"""What the browser tests share: the site as it runs for real, with a learner who can log in."""
import pytest
from django.contrib.auth.models import User

from tests.servers import site_on_test_database


@pytest.fixture
def server(real_engine, course):
    """The product as it runs for real: Daphne with its embedded workers, on the test database; ada can log in."""
    User.objects.create_user("ada", password="correct horse battery")
    with site_on_test_database(SANDBOX_EMBEDDED_WORKERS="true", SANDBOX_WORKERS="2") as url:
        yield url
