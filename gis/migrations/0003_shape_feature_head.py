"""Each simplified boundary keeps its map feature compressed, alone and chained after its level's preceding features
(gis.features): filled here for the shapes there are."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

FIELDS = ["head", "head_crc", "head_size", "head_source", "head_chained", "head_after", "head_depth", "head_chain_crc"]


def fill_heads(apps, schema_editor):
    from gis.deflate import deflate_piece
    from gis.features import chain_links, chained_piece, feature_head, head_source

    OrgUnit = apps.get_model("poc", "OrgUnit")
    OrgUnitShape = apps.get_model("maps", "OrgUnitShape")
    shapes = OrgUnitShape.objects.annotate(has_children=Exists(OrgUnit.objects.filter(parent=OuterRef("orgunit_id"))))
    levels = sorted(set(shapes.values_list("orgunit__level", flat=True).distinct()))
    for level in levels:
        rows = shapes.filter(orgunit__level=level).order_by("orgunit__code")
        rows = rows.values_list("pk", "orgunit_id", "orgunit__code", "orgunit__name_th", "orgunit__name_en", "orgunit__level", "has_children", "geojson")
        texts, updated = [], []
        for pk, unit_id, code, name_th, name_en, unit_level, has_children, geojson in rows.iterator(chunk_size=2000):
            text = feature_head(code, name_th, name_en, unit_level, has_children, geojson)
            piece = deflate_piece(text)
            texts.append(text)
            updated.append(
                OrgUnitShape(
                    pk=pk,
                    orgunit_id=unit_id,
                    head=piece.deflated,
                    head_crc=piece.crc,
                    head_size=piece.size,
                    head_source=head_source(code, name_th, name_en, unit_level, has_children),
                )
            )
        links = chain_links([(shape.head_crc, shape.head_size) for shape in updated])
        for number, (shape, link) in enumerate(zip(updated, links, strict=True)):
            shape.head_chained = chained_piece(texts[number - link.depth : number + 1], link.depth)
            shape.head_after = updated[number - 1].orgunit_id if link.depth else None
            shape.head_depth, shape.head_chain_crc = link.depth, link.identity
        OrgUnitShape.objects.bulk_update(updated, FIELDS, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("maps", "0002_shape_geojson"),
        ("poc", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="orgunitshape",
            name="head",
            field=models.BinaryField(default=b"", editable=False, verbose_name="map feature (compressed)"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_crc",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="CRC-32 of the feature"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_size",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="feature size (bytes)"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_source",
            field=models.TextField(blank=True, editable=False, verbose_name="feature built from"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_chained",
            field=models.BinaryField(default=b"", editable=False, verbose_name="map feature (compressed in sequence)"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_after",
            field=models.BigIntegerField(blank=True, editable=False, null=True, verbose_name="chained after org unit"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_depth",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="features chained after"),
        ),
        migrations.AddField(
            model_name="orgunitshape",
            name="head_chain_crc",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="CRC-32 of what it is chained after"),
        ),
        migrations.RunPython(fill_heads, migrations.RunPython.noop),
    ]
