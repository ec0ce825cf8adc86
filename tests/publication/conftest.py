import pytest

from jianguan.workdays import selectors as workdays


@pytest.fixture(autouse=True)
def fresh_schedule():
    """The holiday table is cached per process; a rolled-back test must not leave its entries."""
    workdays.invalidate()
    yield
    workdays.invalidate()
