"""What the browser tests share: the site as it runs for real, with a learner who can log in."""
import pytest
from django.contrib.auth.models import User

from tests.servers import site_on_test_database


@pytest.fixture
def server(request, real_engine, course):
    """The product as it runs for real: Daphne with its embedded workers (two, unless the test asks for another
    number with indirect parametrization), on the test database; ada can log in."""
    User.objects.create_user("ada", password="correct horse battery")
    workers = getattr(request, "param", 2)
    with site_on_test_database(SANDBOX_EMBEDDED_WORKERS="true", SANDBOX_WORKERS=str(workers)) as url:
        yield url
