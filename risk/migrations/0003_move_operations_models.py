# Backups, the contingency plan, training and usage now belong to the operations app (its 0001 takes them over
# in Django's state). Nothing changes in the database: the tables stay, under their names, with their rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('risk', '0002_participant_related_name'),
        ('operations', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='Participant'),
                migrations.DeleteModel(name='Course'),
                migrations.DeleteModel(name='BackupRecord'),
                migrations.DeleteModel(name='ContingencyPlanVersion'),
                migrations.DeleteModel(name='PageView'),
            ],
        ),
    ]
