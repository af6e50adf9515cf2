"""An index for the claim's question "which items wait?" (a retry not yet due): without
it every claim read the whole backlog, holding SQLite's write lock that acks need."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX intake_item_status_not_before ON intake_item (status, not_before)")
