"""The `make bench` helpers that decide what a figure means: percentiles, cold vs warm, the form a writer posts, the JSON lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _http import Answer, Sampler, form_fields
from results import Result, append_jsonl, percentile, print_table, verdict


def answer(seconds: float, worker: str, status: int = 200) -> Answer:
    return Answer(status=status, body=b"", wire_bytes=10, seconds=seconds, worker=worker, headers={})


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 31)]  # 1..30
    assert percentile(values, 0.5) == 15.0
    assert percentile(values, 0.95) == 29.0
    assert percentile([7.0], 0.95) == 7.0


def test_verdicts():
    assert verdict(49.9, below=50) == "met"
    assert verdict(50.0, below=50) == "NOT met"
    assert verdict(20_000, above=20_000) == "met"
    assert verdict(19_999, above=20_000) == "NOT met"
    assert verdict(3.0) == "printed"


def test_first_request_per_worker_is_cold_and_first_after_a_write_is_apart():
    sampler = Sampler()
    sampler.record("wall", answer(1.6, "101"), writes_before=0)  # worker 101's first: cold
    sampler.record("wall", answer(0.02, "101"), writes_before=0)
    sampler.record("wall", answer(1.5, "102"), writes_before=0)  # worker 102's first: cold
    sampler.record("wall", answer(0.2, "102"), writes_before=1)  # first after write 1
    sampler.record("wall", answer(0.03, "101"), writes_before=1)  # same write already seen: warm
    sampler.record("wall", answer(0.01, "101", status=500), writes_before=1)
    assert sampler.cold == {"wall": [1.6, 1.5]}
    assert sampler.after_write == {"wall": [0.2]}
    assert sampler.warm == {"wall": [0.02, 0.03]}
    assert sampler.errors == {"wall": 1}


def test_form_fields_are_what_a_browser_posts():
    html = b"""
    <form method="get"><input name="dataset" value="X"></form>
    <form method="post" action="/i18n/setlang/"><input name="next" value="/"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input name="v-1-2" value="41"><input name="v-1-3" value="" disabled>
      <input type="checkbox" name="flag"><input type="checkbox" name="keep" value="mine" checked>
      <select name="na-1-2"><option value="">-</option><option value="late" selected>late</option></select>
      <textarea name="comment">ok</textarea><button type="submit" name="go">save</button>
    </form>"""
    expected = [("csrfmiddlewaretoken", "tok"), ("v-1-2", "41"), ("keep", "mine"), ("na-1-2", "late"), ("comment", "ok")]
    assert form_fields(html, containing="v-") == expected


def test_results_table_and_json_lines(tmp_path, capsys):
    rows = [Result("cockpit wall", "< 50 ms", "p95 40 ms (n=30)", "met", 40.0, "ms", 30)]
    print_table(rows)
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["measure", "target", "measured", "verdict"]
    assert out[2].startswith("cockpit wall") and out[2].rstrip().endswith("met")
    path = tmp_path / "results.jsonl"
    append_jsonl(rows, run={"scale": "small"}, path=path)
    append_jsonl(rows, run={"scale": "national"}, path=path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["scale"], line["measure"], line["value"], line["samples"]) for line in lines] == [
        ("small", "cockpit wall", 40.0, 30),
        ("national", "cockpit wall", 40.0, 30),
    ]
