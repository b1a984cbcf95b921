from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from poc.groups import GroupFileError, groups_import, municipalities_import


class Command(BaseCommand):
    help = (
        "Import org-unit groups and group sets (columns: set_code, set_name_th, set_name_en, exclusive, group_code, "
        "group_name_th, group_name_en, member_code) or, with --municipalities, municipalities and the subdistricts they "
        "cover (code, name_th, name_en, parent_code, subdistrict_code, share). All-or-nothing; audited as a system job."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipalities", action="store_true", help="The file lists municipalities, not groups")
        parser.add_argument("--allow-unknown-members", action="store_true", help="Skip member codes this portal does not hold")

    def handle(self, *args, **options):
        try:
            content = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            if options["municipalities"]:
                report = municipalities_import(user=None, content=content)
            else:
                report = groups_import(user=None, content=content, allow_unknown_members=options["allow_unknown_members"])
        except GroupFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.errors:
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} row(s) rejected; nothing was imported.")
        if report.skipped:
            self.stdout.write(f"skipped codes not in this portal: {', '.join(sorted(set(report.skipped)))}")
        self.stdout.write(f"{report.created} created, {report.changed} changed")
