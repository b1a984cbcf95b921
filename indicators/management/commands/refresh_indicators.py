from django.core.management.base import BaseCommand

from indicators.models import Indicator
from indicators.services import indicator_values_refresh


class Command(BaseCommand):
    help = "Recompute materialised indicator values (all, or some indicators / fiscal years)."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", default=[], help="indicator code (repeatable)")
        parser.add_argument("--fy", action="append", type=int, default=[], help="fiscal year BE (repeatable)")

    def handle(self, *args, **options):
        indicators = Indicator.objects.filter(code__in=options["indicator"]) if options["indicator"] else None
        written = indicator_values_refresh(indicators=indicators, fiscal_years=options["fy"] or None)
        self.stdout.write(self.style.SUCCESS(f"{written} indicator values written"))
