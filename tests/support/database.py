"""Real databases for tests: an SQLite file, and PostgreSQL when its URL is set."""

import os

import psycopg2
import pytest

from storage.db import db, init_db

POSTGRES_URL = os.environ.get("LOBBY_TEST_POSTGRES_URL")


def reset_postgres(url: str) -> None:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    connection.close()


def database_url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'lobby.db'}"
    if not POSTGRES_URL:
        pytest.skip("set LOBBY_TEST_POSTGRES_URL to run against PostgreSQL")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def open_database(url: str):
    database = init_db(url)
    database.connect(reuse_if_open=True)
    return database


def close_database() -> None:
    if not db.is_closed():
        db.close()
