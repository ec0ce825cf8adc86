import pytest

from jianguan.workdays import selectors


@pytest.fixture(autouse=True)
def fresh_schedule():
    """The holiday table is cached per process; a rolled-back test must not leave its entries."""
    selectors.invalidate()
    yield
    selectors.invalidate()
