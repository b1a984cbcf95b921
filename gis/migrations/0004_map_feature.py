"""The stored map features move from the boundary rows to a narrow table of their own (gis.models.MapFeature): a
national choropleth read 7,425 of them from ~90 MB of geometry rows."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["head", "head_crc", "head_size", "head_source", "head_chained", "head_after", "head_depth", "head_chain_crc"]


def move_features(apps, schema_editor):
    OrgUnitShape = apps.get_model("maps", "OrgUnitShape")
    MapFeature = apps.get_model("maps", "MapFeature")
    rows = OrgUnitShape.objects.filter(head_size__gt=0).order_by("orgunit__level", "orgunit__code")
    batch = []
    for pk, orgunit_id, *values in rows.values_list("pk", "orgunit_id", *MOVED).iterator(chunk_size=1000):
        head, crc, size, source, chained, after, depth, chain_crc = values
        batch.append(
            MapFeature(
                shape_id=pk,
                orgunit_id=orgunit_id,
                head=head,
                crc=crc,
                size=size,
                source=source,
                chained=chained,
                after=after,
                depth=depth,
                chain_crc=chain_crc,
            )
        )
        if len(batch) == 1000:
            MapFeature.objects.bulk_create(batch)
            batch = []
    MapFeature.objects.bulk_create(batch)


def move_features_back(apps, schema_editor):
    OrgUnitShape = apps.get_model("maps", "OrgUnitShape")
    MapFeature = apps.get_model("maps", "MapFeature")
    fields = ["head", "crc", "size", "source", "chained", "after", "depth", "chain_crc"]
    batch = []
    for shape_id, *values in MapFeature.objects.order_by("pk").values_list("shape_id", *fields).iterator(chunk_size=1000):
        batch.append(OrgUnitShape(pk=shape_id, **dict(zip(MOVED, values, strict=True))))
        if len(batch) == 1000:
            OrgUnitShape.objects.bulk_update(batch, MOVED)
            batch = []
    OrgUnitShape.objects.bulk_update(batch, MOVED)


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0003_shape_feature_head"),
        ("poc", "0005_weekly_daily_period_types"),
    ]

    operations = [
        migrations.CreateModel(
            name="MapFeature",
            fields=[
                (
                    "shape",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="feature",
                        serialize=False,
                        to="maps.orgunitshape",
                        verbose_name="simplified boundary",
                    ),
                ),
                ("head", models.BinaryField(default=b"", verbose_name="map feature (compressed)")),
                ("crc", models.BigIntegerField(default=0, editable=False, verbose_name="CRC-32 of the feature")),
                ("size", models.PositiveIntegerField(default=0, editable=False, verbose_name="feature size (bytes)")),
                ("source", models.TextField(blank=True, editable=False, verbose_name="feature built from")),
                ("chained", models.BinaryField(default=b"", verbose_name="map feature (compressed in sequence)")),
                ("after", models.BigIntegerField(blank=True, editable=False, null=True, verbose_name="chained after org unit")),
                ("depth", models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="features chained after")),
                ("chain_crc", models.BigIntegerField(default=0, editable=False, verbose_name="CRC-32 of what it is chained after")),
                (
                    "orgunit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="map_feature", to="poc.orgunit", verbose_name="org unit"
                    ),
                ),
            ],
            options={"verbose_name": "stored map feature", "verbose_name_plural": "stored map features"},
        ),
        migrations.RunPython(move_features, move_features_back),
        *[migrations.RemoveField(model_name="orgunitshape", name=name) for name in MOVED],
    ]
