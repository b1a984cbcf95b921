"""The README's tour pictures are exactly what `make screenshots` (tools/screenshots.py) produces, and exist."""

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_shots() -> tuple[list, set[str]]:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "tools" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("screenshots", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.SHOTS, set(module.TAKEN_BY_BROWSER_TESTS)


def test_readme_shows_every_screenshot_the_tool_takes_and_no_other():
    shots, by_tests = load_shots()
    names = [shot.name for shot in shots]
    assert len(names) == len(set(names)) and not by_tests & set(names)
    linked = set(re.findall(r"docs/screenshots/([\w-]+)\.png", (ROOT / "README.md").read_text(encoding="utf-8")))
    assert linked == set(names) | by_tests
    assert {p.stem for p in (ROOT / "docs" / "screenshots").glob("*.png")} == set(names) | by_tests
    # The wall screen and the phone are among them, at their sizes.
    assert {shot.viewport for shot in shots} >= {(1440, 900), (1920, 1080), (390, 844)}
