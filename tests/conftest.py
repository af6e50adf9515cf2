import pytest

from bot.access import Actor
from bot.service import Lobby
from tests.support.clock import ManualClock
from tests.support.database import close_database, database_url, open_database
from tests.support.fake_directory import FakeDirectory

pytest_plugins = ["tests.support.fixtures"]

WORKSPACE = "T0LOBBY"


def pytest_configure(config):
    config.addinivalue_line("markers", "runs_last: needs every other test to have run first")
    config.addinivalue_line("markers", "http_only: about HTTP itself; not run over Socket Mode")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The URL of a fresh database: an SQLite file, then PostgreSQL."""
    return database_url(request.param, tmp_path)


@pytest.fixture
def database(db_url):
    """A fresh, migrated database."""
    database = open_database(db_url)
    yield database
    close_database()


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def lobby(database, clock):
    return Lobby(clock=clock)


@pytest.fixture
def directory():
    directory = FakeDirectory()
    directory.admins.add("UADMIN")
    return directory


def actor(user_id: str, workspace_id: str = WORKSPACE) -> Actor:
    return Actor(workspace_id=workspace_id, user_id=user_id)
