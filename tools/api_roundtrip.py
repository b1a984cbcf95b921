"""Pull a month of values through /api/dataValueSets as DHIS2 JSON, CSV and ADX, push each back, and check that
what comes out afterwards equals what came out before (timestamps aside).

Usage: python tools/api_roundtrip.py BASE_URL TOKEN DATASET PERIOD ORGUNIT
       e.g. python tools/api_roundtrip.py http://127.0.0.1:8000 "$TOKEN" DS-CROPPRICE 202501 21
Pushing back values unchanged changes nothing (they count as ignored); the check is that all three formats
are read and written losslessly. Exits 1 when a format does not come back equal.
"""

from __future__ import annotations

import sys

import requests

FORMATS = {"json": "application/json", "csv": "application/csv", "adx": "application/adx+xml"}


def _values(session: requests.Session, url: str, params: dict) -> list[dict]:
    response = session.get(f"{url}.json", params=params, timeout=60)
    response.raise_for_status()
    return [{k: v for k, v in row.items() if k != "lastUpdated"} for row in response.json()["dataValues"]]


def roundtrip(base: str, token: str, dataset: str, period: str, orgunit: str) -> dict[str, dict]:
    """For each format: the import summary of pushing the pulled file back, and whether the values came back equal."""
    session = requests.Session()
    session.headers["Authorization"] = f"ApiToken {token}"
    url = base.rstrip("/") + "/api/dataValueSets"
    params = {"dataSet": dataset, "period": period, "orgUnit": orgunit, "children": "true"}
    before = _values(session, url, params)
    report = {}
    for name, media_type in FORMATS.items():
        pulled = session.get(f"{url}.{name}", params=params, timeout=60)
        pulled.raise_for_status()
        pushed = session.post(url, data=pulled.content, headers={"Content-Type": media_type}, timeout=300)
        summary = pushed.json().get("response", {})
        report[name] = {
            "status": pushed.status_code,
            "count": summary.get("importCount"),
            "equal": _values(session, url, params) == before,
            "values": len(before),
        }
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__)
        return 2
    report = roundtrip(*argv)
    for name, result in report.items():
        print(f"{name:4} HTTP {result['status']} {result['count']} {result['values']} values, equal: {result['equal']}")
    return 0 if all(r["equal"] and r["status"] == 200 for r in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
