"""Boundaries generalised for country-wide maps and their stored features (gis.models.OverviewFeature).

Empty after this migration: maps keep drawing the detailed features until ``manage.py simplify_boundaries`` (or the
next boundary import) builds them.
"""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('maps', '0004_map_feature'),
        ('poc', '0005_weekly_daily_period_types'),
    ]

    operations = [
        migrations.AddField(
            model_name='orgunitshape',
            name='geom_overview',
            field=django.contrib.gis.db.models.fields.MultiPolygonField(blank=True, null=True, srid=4326, verbose_name='boundary for country-wide maps'),
        ),
        migrations.AddField(
            model_name='orgunitshape',
            name='overview_geojson',
            field=models.TextField(blank=True, verbose_name='GeoJSON for country-wide maps'),
        ),
        migrations.CreateModel(
            name='OverviewFeature',
            fields=[
                ('head', models.BinaryField(default=b'', verbose_name='map feature (compressed)')),
                ('crc', models.BigIntegerField(default=0, editable=False, verbose_name='CRC-32 of the feature')),
                ('size', models.PositiveIntegerField(default=0, editable=False, verbose_name='feature size (bytes)')),
                ('source', models.TextField(blank=True, editable=False, verbose_name='feature built from')),
                ('chained', models.BinaryField(default=b'', verbose_name='map feature (compressed in sequence)')),
                ('after', models.BigIntegerField(blank=True, editable=False, null=True, verbose_name='chained after org unit')),
                ('depth', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='features chained after')),
                ('chain_crc', models.BigIntegerField(default=0, editable=False, verbose_name='CRC-32 of what it is chained after')),
                ('shape', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='overview_feature', serialize=False, to='maps.orgunitshape', verbose_name='simplified boundary')),
                ('orgunit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='overview_feature', to='poc.orgunit', verbose_name='org unit')),
            ],
            options={
                'verbose_name': 'stored map feature for country-wide maps',
                'verbose_name_plural': 'stored map features for country-wide maps',
            },
        ),
    ]
