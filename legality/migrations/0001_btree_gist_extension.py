# The exclusion constraint on legal status periods compares jurisdiction and substance ids with
# "=" inside a GiST index, which needs btree_gist. A no-op on SQLite.
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class PostgresOnlyBtreeGistExtension(BtreeGistExtension):
    # CreateExtension skips other databases going forwards but queries pg_extension backwards.
    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [PostgresOnlyBtreeGistExtension()]
