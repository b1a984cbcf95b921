from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification import reports
from verification.tracking import tracking_report


class Command(BaseCommand):
    help = "Bimonthly update-tracking report: figures per agency, plus Excel, PDF and follow-up letters (PDF) when --output is given."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="two-month period, e.g. 2568-B1 (default: the last completed one)")
        parser.add_argument("--output", type=Path, help="directory for tracking-<period>.xlsx/.pdf and letter-<agency>.pdf")

    def handle(self, *args, **options):
        code = options["period"] or reports.current_window_code()
        try:
            report = tracking_report(code, user=None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{report.window.code}: {len(report.agencies)} agencies, {len(report.lagging)} lagging")
        for agency in report.agencies:
            completeness = "–" if agency.completeness is None else f"{agency.completeness:.1f}%"
            self.stdout.write(
                f"  {agency.agency.code}: on time {agency.on_time}, late {agency.late}, missing {agency.missing}, {completeness}"
            )
        output = options["output"]
        if output:
            output.mkdir(parents=True, exist_ok=True)
            (output / f"tracking-{report.window.code}.xlsx").write_bytes(reports.tracking_xlsx(report))
            (output / f"tracking-{report.window.code}.pdf").write_bytes(reports.tracking_pdf(report))
            for agency in report.lagging:
                letter = reports.follow_up_letter(report, agency.agency)
                (output / f"letter-{agency.agency.code}-{report.window.code}.pdf").write_bytes(reports.letter_pdf(letter))
            self.stdout.write(self.style.SUCCESS(f"files written to {output}"))
