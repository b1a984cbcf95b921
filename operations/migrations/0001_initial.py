# Backups, the contingency plan, training and usage move from the risk app to operations. Only Django's
# state moves: the tables keep their names (risk_backuprecord, …) and their rows. Content types (and so
# permissions, object permissions and audit lines pointing at them) are relabelled to the new app.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["backuprecord", "contingencyplanversion", "course", "pageview", "participant"]


def relabel_content_types(apps, schema_editor, source="risk", target="operations"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue  # already created (a database migrated by hand); leave both as they are
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, source="operations", target="risk")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('poc', '0002_orgunit_changes'),
        ('risk', '0002_participant_related_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='BackupRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filename', models.CharField(max_length=255, unique=True, verbose_name='file')),
                        ('created_at', models.DateTimeField(db_index=True, verbose_name='created')),
                        ('engine', models.CharField(max_length=20, verbose_name='database engine')),
                        ('size_bytes', models.BigIntegerField(default=0, verbose_name='size (bytes)')),
                        ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                        ('manifest', models.JSONField(default=dict, verbose_name='manifest')),
                        ('verification_status', models.CharField(choices=[('unverified', 'Not verified'), ('ok', 'Verified'), ('failed', 'Verification failed')], default='unverified', max_length=12, verbose_name='verification')),
                        ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified')),
                        ('verification_message', models.TextField(blank=True, verbose_name='verification result')),
                    ],
                    options={
                        'db_table': 'risk_backuprecord',
                        'verbose_name': 'backup',
                        'verbose_name_plural': 'backups',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ContingencyPlanVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(unique=True, verbose_name='version')),
                        ('title', models.CharField(max_length=255, verbose_name='title')),
                        ('contacts', models.TextField(verbose_name='emergency contacts')),
                        ('recovery_steps', models.TextField(verbose_name='recovery steps')),
                        ('body', models.TextField(blank=True, verbose_name='other content')),
                        ('change_note', models.CharField(blank=True, max_length=255, verbose_name='what changed')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='saved')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'risk_contingencyplanversion',
                        'verbose_name': 'contingency plan version',
                        'verbose_name_plural': 'contingency plan versions',
                        'ordering': ['-version'],
                    },
                ),
                migrations.CreateModel(
                    name='Course',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=255, verbose_name='course')),
                        ('start_date', models.DateField(verbose_name='start')),
                        ('end_date', models.DateField(verbose_name='end')),
                        ('venue', models.CharField(blank=True, max_length=255, verbose_name='venue')),
                        ('provider', models.CharField(blank=True, max_length=255, verbose_name='provider')),
                        ('target_group', models.CharField(blank=True, max_length=255, verbose_name='target group')),
                        ('planned_seats', models.PositiveIntegerField(default=0, verbose_name='planned seats')),
                        ('fiscal_year', models.PositiveSmallIntegerField(db_index=True, editable=False, verbose_name='fiscal year (BE)')),
                    ],
                    options={
                        'db_table': 'risk_course',
                        'verbose_name': 'course',
                        'verbose_name_plural': 'courses',
                        'ordering': ['start_date', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='course_dates_in_order')],
                    },
                ),
                migrations.CreateModel(
                    name='PageView',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True)),
                        ('view_name', models.CharField(max_length=120)),
                        ('path', models.CharField(max_length=255)),
                        ('agency', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='poc.agency')),
                        ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'risk_pageview',
                        'verbose_name': 'page view',
                        'verbose_name_plural': 'page views',
                    },
                ),
                migrations.CreateModel(
                    name='Participant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('status', models.CharField(choices=[('registered', 'Registered'), ('attended', 'Attended'), ('completed', 'Completed'), ('absent', 'Absent')], default='registered', max_length=12, verbose_name='status')),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='training_participants', to='poc.agency', verbose_name='agency')),
                        ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='operations.course')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'risk_participant',
                        'verbose_name': 'participant',
                        'verbose_name_plural': 'participants',
                        'ordering': ['agency__code', 'name'],
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
