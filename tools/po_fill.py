"""Fill Thai translations into a .po file from a TSV of ``English<TAB>Thai`` lines, then compile.

Usage: python tools/po_fill.py locale/th/LC_MESSAGES/django.po translations.tsv
Entries already translated keep their text unless the TSV gives a new one. Prints what is still missing.
"""

import sys
from pathlib import Path

import polib


def main(po_path: str, tsv_path: str) -> None:
    catalogue = polib.pofile(po_path)
    pairs = {}
    for line in Path(tsv_path).read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            english, thai = line.split("\t", 1)
            pairs[english] = thai
    for entry in catalogue:
        if entry.msgid in pairs:
            entry.msgstr = pairs[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save(po_path)
    catalogue.save_as_mofile(str(Path(po_path).with_suffix(".mo")))
    missing = [e.msgid for e in catalogue if not e.msgstr and not e.obsolete]
    print(f"{len(catalogue) - len(missing)} translated, {len(missing)} missing")
    for msgid in missing:
        print("  missing:", msgid)


if __name__ == "__main__":
    main(*sys.argv[1:3])
