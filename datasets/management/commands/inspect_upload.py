"""``manage.py inspect_upload FILE [--dataset CODE] [--profile NAME]``: what the importer sees in a file, as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datasets.layout import detect_layout
from datasets.models import Dataset, ImportProfile
from datasets.readers import ReadError, read_sheets


class Command(BaseCommand):
    help = (
        "Print as JSON the detected layout of a spreadsheet (sheets, headers, columns, periods, org units, skipped rows). Writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dataset", help="dataset code: match columns to its elements and rows at its org-unit level")
        parser.add_argument("--profile", help="apply the answers of this saved import profile of the dataset")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        dataset = None
        if options["dataset"]:
            dataset = Dataset.objects.filter(code=options["dataset"]).first()
            if dataset is None:
                raise CommandError(f"unknown dataset {options['dataset']}")
        answers = {}
        if options["profile"]:
            if dataset is None:
                raise CommandError("--profile needs --dataset")
            profile = ImportProfile.objects.filter(dataset=dataset, name=options["profile"]).first()
            if profile is None:
                raise CommandError(f"dataset {dataset.code} has no import profile {options['profile']}")
            answers = profile.mapping.get("units", {})
        try:
            sheets = read_sheets(path.read_bytes(), path.name)
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        layout = detect_layout(sheets, dataset, answers=answers)
        report = {"file": path.name, "dataset": dataset.code if dataset else None, **layout.as_dict()}
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
