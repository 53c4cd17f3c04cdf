# The exclusion constraint on legal status periods compares jurisdiction and substance ids with
# "=" inside a GiST index, which needs btree_gist. A no-op on SQLite.
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [BtreeGistExtension()]
