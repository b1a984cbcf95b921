"""The shipped demo: Rayong from the repository's own reference copy, a quiet seed, and real work for every role."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from assessment.services import assess
from cockpit.models import Alert, RuleKind
from datasets.models import DataValue
from poc import permissions
from poc.models import MunicipalityArea, OrgUnit, OrgUnitGroup, User
from verification.models import Status, Submission

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "rayong"


def test_the_repository_ships_rayong_with_its_attribution():
    assert (SHIPPED / "rayong_admin.csv").is_file() and (SHIPPED / "rayong_population_dopa.csv").is_file()
    for level in ("province", "district", "subdistrict"):
        assert (SHIPPED / "rayong_boundaries" / f"rayong_{level}_simplified.geojson").is_file()
    attribution = (SHIPPED / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY-IGO" in attribution and "Royal Thai Survey Department" in attribution and "DOPA" in attribution
    size = sum(f.stat().st_size for f in SHIPPED.rglob("*") if f.is_file())
    assert size < 1_000_000  # simplified boundaries only


def test_seeded_demo_is_rayong_quiet_and_gives_every_role_work(settings):
    settings.POC_REFERENCE_DIR = SHIPPED  # what a fresh clone has, without ../shared
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    # Quiet: a summary and the accounts, not Celery task lines, raw e-mails or a misleading "0 input values".
    assert "Task " not in printed and "Content-Type:" not in printed and "MIME-Version" not in printed
    assert " 0 input values" not in printed
    assert "hierarchy ระยอง: " in printed and "password poc-demo-2568" in printed
    assert all(f"  {name} " in printed for name in ("governor", "entry", "verifier", "health_verifier", "itadmin"))
    assert len(printed.splitlines()) < 25

    rayong = OrgUnit.objects.get(code="21")
    assert rayong.name_th == "ระยอง" and rayong.geom is not None
    assert rayong.children.filter(level=2).count() == 8 and OrgUnit.objects.filter(level=3, path__startswith="21/").count() == 58
    # Municipalities under the province, sharing subdistrict 210109; Rayong's groups (other provinces skipped).
    assert sorted(rayong.children.filter(level=5).values_list("code", flat=True)) == ["2197", "2199"]
    sharing = MunicipalityArea.objects.filter(subdistrict__code="210109").values_list("municipality__code", flat=True)
    assert sorted(sharing) == ["2197", "2199"]
    assert list(OrgUnitGroup.objects.get(code="cluster_east_1").members.values_list("code", flat=True)) == ["21"]
    assert "(2 municipalities), 7 org-unit groups" in printed

    # The province-wide verifier has submissions waiting for them.
    verifier = User.objects.get(username="verifier")
    waiting = Submission.objects.filter(status__in=[Status.SUBMITTED, Status.RESUBMITTED]).select_related("dataset")
    assert [s for s in waiting if permissions.can(verifier, "verify", s.dataset)]
    # Health submissions have a verifier of their own agency (not only the IT administrators).
    health = [s for s in waiting if s.dataset.agency.code == "PROV-HEALTH"]
    verifiers = [u for u in User.objects.filter(groups__name="verifier") if not u.is_it_admin]
    assert health and all(any(permissions.can(u, "verify", s.dataset) for u in verifiers) for s in health)
    assert any(permissions.can(User.objects.get(username="health_verifier"), "verify", s.dataset) for s in health)

    # The registry clerk enters registered population by sex × area: four parts per subdistrict, the total derived.
    from datasets.models import Dataset

    population = Dataset.objects.get(code="DS-POP")
    assert permissions.can(User.objects.get(username="entry_dopa"), "change", population)
    assert sorted(population.elements.get(code="POP").category_combo.option_combos.values_list("code", flat=True)) == [
        "F_MUN",
        "F_NONMUN",
        "M_MUN",
        "M_NONMUN",
    ]

    # The self-assessment of the last completed fiscal year finds its evidence in that year.
    result = assess()
    met = {c.code for c in result.criteria if c.met}
    assert {"1.3", "2.1", "2.2", "3.3", "4.2", "5.3"} <= met, [c for c in result.criteria if not c.met]
    assert result.reached >= 4

    # Weekly dengue per district and daily rainfall at three stations, four years and more of history; the latest
    # week's outbreak in Klaeng trips the epidemic-threshold rule (median of five years + 2 SD).
    weekly = DataValue.objects.filter(element__code="DENGUE_WEEK_CASES")
    assert weekly.values("orgunit").distinct().count() == 8 and weekly.values("period").distinct().count() >= 4 * 52
    daily = DataValue.objects.filter(element__code="RAIN_DAY_MM")
    assert set(daily.values_list("orgunit__code", flat=True).distinct()) == {"2101", "2103", "2104"}
    assert daily.values("period").distinct().count() >= 4 * 365
    outbreak = Alert.objects.filter(rule__kind=RuleKind.EPIDEMIC, orgunit__code="2103", value=60)
    assert outbreak.count() == 1 and outbreak.get().period.period_type == "W"
