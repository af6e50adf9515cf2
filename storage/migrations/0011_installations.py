"""The distributable app: installations (tokens encrypted), OAuth states, departures."""

from peewee import *  # noqa: F403


def up(migrator, db):
    class Installation(Model):
        enterprise_key = CharField()
        team_key = CharField()
        installed_at = DateTimeField()
        details = TextField()
        secrets = TextField()

        class Meta:
            database = db
            table_name = "slack_installation"
            indexes = ((("enterprise_key", "team_key"), True),)

    class OAuthState(Model):
        state = CharField(primary_key=True)
        expires_at = DateTimeField()

        class Meta:
            database = db
            table_name = "oauth_state"

    class Departure(Model):
        workspace_id = CharField(primary_key=True)
        uninstalled_at = DateTimeField()

        class Meta:
            database = db
            table_name = "workspace_departure"

    db.create_tables([Installation, OAuthState, Departure])
