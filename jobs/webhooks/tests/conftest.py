import pytest

from jobs.webhooks.tests.receiver import receiver  # noqa: F401  (fixture)


@pytest.fixture
def allow_private(settings):
    """Loopback receivers are private destinations: the development setting, on."""
    settings.VIDEOGEN_WEBHOOKS_ALLOW_PRIVATE = True
    return settings
