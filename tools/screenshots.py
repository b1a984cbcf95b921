"""README screenshots from the real demo (`make screenshots`): seed the demo province into a throw-away
SpatiaLite database, serve it, and photograph the tour's pages in Debian's Chromium as the demo account
who uses each page. Writes docs/screenshots/<name>.png (tracked; the test suite never writes there).

Add a page by adding a `Shot` to `SHOTS` below: name, account, path (may use the `{...}` placeholders
filled by `placeholders()` from the seeded database), and a viewport.

    .venv/bin/python tools/screenshots.py [--port 8105] [--only cockpit,map] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("POC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
DESKTOP = (1440, 900)
WALL = (1920, 1080)
PHONE = (390, 844)


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str
    viewport: tuple[int, int] = DESKTOP
    # Desktop pages are shown whole; the wall and the phone as the screen shows them (what fits matters there).
    full_page: bool = True


# The README tour, in its order. Accounts are those of poc/demo.py (DEMO_ACCOUNTS).
SHOTS = [
    Shot("home", "governor", "/"),
    Shot("cockpit", "governor", "/cockpit/"),
    Shot("cockpit-drilldown", "governor", "/cockpit/indicator/{indicator}/"),
    Shot("cockpit-wall", "governor", "/cockpit/warroom/", WALL, full_page=False),
    Shot("cockpit-phone", "governor", "/cockpit/", PHONE, full_page=False),
    Shot("map", "governor", "/gis/map/?element=POP&period={last_year}"),
    Shot("dengue-entry", "entry_health", "/datasets/entry/?dataset=DS-DENGUE&period={month}&orgunit={province}"),
    Shot("population-map", "governor", "/gis/map/?element=POP&period={last_year}&option=F"),
    Shot("population-pivot", "governor", "/cockpit/pivot/?item=e:{pop}&by=SEX&by=AREA"),
    Shot("data-entry-grid", "entry", "/datasets/entry/?dataset={entry_dataset}&period={entry_period}&orgunit={province}"),
    Shot("dataset-history", "entry", "/datasets/{entry_dataset}/history/"),
    Shot("verification-queue", "verifier", "/verification/"),
    Shot("tracking-report", "itadmin", "/verification/tracking/?period={bimonth}"),
    Shot("accounts", "itadmin", "/accounts/issue/"),
    Shot("risk-survey-report", "itadmin", "/risk/survey/{campaign}/report/"),
    Shot("self-assessment", "itadmin", "/assessment/"),
]
# Pages reached through an upload, not a URL: their browser test takes the picture (var/screenshots/), copied by hand.
TAKEN_BY_BROWSER_TESTS = {"import-mapping-step": "tests/browser/test_mapping_step.py"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True)


def placeholders(env: dict[str, str]) -> dict[str, str]:
    """Codes the paths need, read from the seeded database (they move with today's date)."""
    code = (
        "import json\n"
        "from django.utils import timezone\n"
        "from poc.demo import demo_password\n"
        "from indicators.models import Indicator\n"
        "from datasets.models import DataElement\n"
        "from poc.models import OrgUnit\n"
        "from poc.periods import period_containing\n"
        "from risk.models import RiskCampaign\n"
        "today = timezone.localdate()\n"
        "month = period_containing('M', today).previous().code\n"
        "bimonth = period_containing('B', today).previous().code\n"
        "last_year = period_containing('Y', today).previous().code\n"
        "print(json.dumps({'indicator': Indicator.objects.order_by('code').values_list('code', flat=True).first(),"
        " 'province': OrgUnit.objects.filter(level=1).order_by('code').values_list('code', flat=True).first(),"
        " 'entry_dataset': 'DS-CROPPRICE', 'entry_period': month, 'month': month, 'bimonth': bimonth, 'last_year': last_year,"
        " 'campaign': str(RiskCampaign.objects.order_by('-pk').values_list('pk', flat=True).first()),"
        " 'pop': str(DataElement.objects.get(code='POP').pk),"
        " 'password': demo_password()}))\n"
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # our own local server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"screenshots: the server at {url} did not answer")


def photograph(base_url: str, shots: list[Shot], values: dict[str, str], password: str) -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for shot in shots:
            width, height = shot.viewport
            context = browser.new_context(
                base_url=base_url, locale="th-TH", viewport={"width": width, "height": height}, device_scale_factor=1
            )
            page = context.new_page()
            page.set_default_timeout(30000)
            page.goto("/accounts/login/")
            page.fill("input[name=username]", shot.user)
            page.fill("input[name=password]", password)
            page.click("button[type=submit].primary")
            page.wait_for_load_state("networkidle")
            if "/accounts/login/" in page.url:
                raise SystemExit(f"screenshots: {shot.user} could not log in at {base_url}")
            page.goto(shot.path.format(**values))
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)  # maps and charts finish drawing after the last request
            page.screenshot(path=str(OUTPUT / f"{shot.name}.png"), full_page=shot.full_page)
            print(f"screenshots: {shot.name}.png ({shot.user}, {width}×{height}) {shot.path.format(**values)}")
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port for the throw-away server (default: a free one)")
    parser.add_argument("--only", default="", help="comma-separated shot names")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database directory")
    args = parser.parse_args()
    shots = [s for s in SHOTS if not args.only or s.name in args.only.split(",")]
    var_dir = Path(tempfile.mkdtemp(prefix="poc-screenshots-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"POC_VAR_DIR": str(var_dir), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "poc.settings"})
    port = args.port or free_port()
    server = None
    try:
        print(f"screenshots: seeding the demo into {var_dir} ({dt.datetime.now():%H:%M:%S})")
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "-v0")
        values = placeholders(env)
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)  # a port already taken makes runserver exit at once
        base_url = f"http://127.0.0.1:{port}"
        wait_for(base_url + "/accounts/login/")
        if server.poll() is not None:  # another server answered on that port: it is not our demo
            raise SystemExit(f"screenshots: could not start the server on port {port}")
        photograph(base_url, shots, values, values.pop("password"))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
