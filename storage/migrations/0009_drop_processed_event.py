"""Events are now recorded in the intake under their event id, which dedupes Slack's
retries; the table of processed events is no longer read or written."""


def up(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS processed_event")
