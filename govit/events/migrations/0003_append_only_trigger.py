"""On PostgreSQL, the database itself refuses UPDATE and DELETE of events.

(On SQLite the model and queryset refuse them; a trigger there would also block the test
runner's DELETE-based flush, and SQLite is the single-machine default, not production.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION govit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '事件记录只能追加，不能修改或删除（events are append-only）';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_event_append_only BEFORE UPDATE OR DELETE ON events_event
    FOR EACH ROW EXECUTE FUNCTION govit_events_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS events_event_append_only ON events_event;
DROP FUNCTION IF EXISTS govit_events_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("events", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
