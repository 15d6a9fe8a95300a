"""Cut a département's subset out of the COG files, for the demo data shipped in app/demo/data.

    python -m app.demo.subset <epci.json> <communes.json> <département> <output folder>

Writes `epci-<dep>.json` (the EPCIs with at least one member commune in the département) and
`communes-<dep>.json` (all their member communes, even those of another département), in
the source format, keeping only the fields the importer reads. The product never reads the
source files at run time: run this by hand when the COG changes, then commit the output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.tenants.cog_import import CURRENT_COMMUNE, read_source

EPCI_FIELDS = ("code", "nom", "type")
MEMBER_FIELDS = ("code", "nom")
COMMUNE_FIELDS = ("code", "nom", "type", "departement", "codesPostaux", "population")


def _dump(rows: list[dict], path: Path) -> None:
    """One object per line, as in the source files: small diffs when the COG changes."""
    lines = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def extract(epci_path: str | Path, communes_path: str | Path, departement: str,
            out_dir: str | Path) -> tuple[Path, Path]:
    source = read_source(epci_path, communes_path, departement)
    sirens = {e.siren for e in source.selected}
    members = {code for e in source.selected for code, _ in e.members}
    raw_epcis = json.loads(Path(epci_path).read_text(encoding="utf-8-sig"))
    raw_communes = json.loads(Path(communes_path).read_text(encoding="utf-8-sig"))
    epcis = []
    for row in raw_epcis:
        if row["code"] in sirens:
            kept = {k: row[k] for k in EPCI_FIELDS}
            kept["membres"] = [{k: m[k] for k in MEMBER_FIELDS} for m in row["membres"]]
            epcis.append(kept)
    communes = [{k: row[k] for k in COMMUNE_FIELDS if k in row} for row in raw_communes
                if row.get("type") == CURRENT_COMMUNE and row["code"] in members]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    epci_out = out / f"epci-{source.departement}.json"
    communes_out = out / f"communes-{source.departement}.json"
    _dump(epcis, epci_out)
    _dump(communes, communes_out)
    return epci_out, communes_out


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    for written in extract(*sys.argv[1:]):
        print(written)
