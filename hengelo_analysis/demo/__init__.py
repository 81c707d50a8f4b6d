"""A deterministic generator of the synthetic demo data set, in the real raw formats.

``python -m hengelo_analysis.demo data/raw/demo`` (or ``make demo-data``) rewrites the demo tree
byte-identically for the same code. Everything it writes is labelled synthetic.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from hengelo_analysis import atomic
from hengelo_analysis.sources.odata import dump_document, envelope

SYNTHETIC_NOTE = (
    "SYNTHETISCHE DEMODATA: verzonnen cijfers in het echte formaat, geen echte gegevens."
)
DEMO_RETRIEVED_AT = "2025-03-15T00:00:00+00:00"


def write_odata_table(
    out_dir: Path,
    table_id: str,
    feed: str,
    sets: dict[str, list[dict]],
    page_size: int,
    modified: str,
    catalog: str,
) -> None:
    """Write one table folder as the ODataFeed endpoint serves it, plus its manifest."""
    table_dir = out_dir / table_id
    table_dir.mkdir(parents=True, exist_ok=True)
    for stale in table_dir.glob("*.json"):
        stale.unlink()
    files = []
    for name, rows in sets.items():
        pages = [rows[i : i + page_size] for i in range(0, len(rows), page_size)] or [[]]
        for number, page in enumerate(pages, start=1):
            paged = len(pages) > 1 or name == "TypedDataSet"
            file_name = f"{name}-{number:04d}.json" if paged else f"{name}.json"
            url = f"{feed}/{name}?$format=json"
            if number > 1:
                url += f"&$skip={(number - 1) * page_size}"
            next_link = (
                f"{feed}/{name}?$format=json&$skip={number * page_size}"
                if number < len(pages)
                else None
            )
            data = dump_document(
                envelope(f"{feed}/$metadata#Cbs.OData.WebAPI.{name}", page, next_link)
            )
            atomic.write_bytes(table_dir / file_name, data)
            files.append(
                {
                    "file": file_name,
                    "url": url,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "rows": len(page),
                }
            )
    manifest = {
        "table_id": table_id,
        "catalog": catalog,
        "modified": modified,
        "retrieved_at": DEMO_RETRIEVED_AT,
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "files": files,
    }
    atomic.write_text(
        table_dir / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    )


def generate(out_dir: str | Path) -> list[Path]:
    """Write the whole demo raw tree under ``out_dir`` (normally ``data/raw/demo``)."""
    from hengelo_analysis.demo import crime

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    crime_sets = crime.entity_sets()  # the monthly 47022NED splits these yearly counts
    write_odata_table(
        out_dir,
        crime.TABLE_ID,
        crime.FEED,
        crime_sets,
        crime.PAGE_SIZE,
        crime.MODIFIED,
        "Politie",
    )
    # KWB (inhabitants per year) and PDOK boundaries, in the shapes ``fetch`` saves (issue 3).
    from hengelo_analysis.demo import kwb, pdok

    for table_id, (feed, sets, modified) in kwb.tables().items():
        write_odata_table(out_dir, table_id, feed, sets, kwb.PAGE_SIZE, modified, "CBS")
    pdok.write(out_dir, SYNTHETIC_NOTE, DEMO_RETRIEVED_AT)
    # Police overlast per gemeente and per wijk/buurt, and monthly crime (issue 13).
    from hengelo_analysis.demo import nuisance

    for table_id, (feed, sets, modified) in nuisance.tables(crime_sets).items():
        write_odata_table(out_dir, table_id, feed, sets, nuisance.PAGE_SIZE, modified, "Politie")
    write_survey_and_supplied(out_dir)
    atomic.write_text(out_dir / "SYNTHETIC.txt", SYNTHETIC_NOTE + "\n")
    return sorted(p for p in out_dir.rglob("*") if p.is_file())


def write_survey_and_supplied(out_dir: Path) -> None:
    """Veiligheidsmonitor 85146NED and the analyst-supplied files (issue 4)."""
    from hengelo_analysis.demo import supplied, survey

    write_odata_table(
        out_dir,
        survey.VM_TABLE_ID,
        survey.VM_FEED,
        survey.vm_entity_sets(),
        survey.VM_PAGE_SIZE,
        survey.VM_MODIFIED,
        "CBS",
    )
    supplied_dir = out_dir / "supplied"
    files = {
        **survey.survey_files(),
        "e33_incidenten.csv": supplied.e33_csv(),
        "jeugd.csv": supplied.youth_csv(),
        **supplied.bron_files(),
    }
    for name, data in files.items():
        atomic.write_bytes(supplied_dir / name, data)
    atomic.write_text(supplied_dir / "SYNTHETIC.txt", SYNTHETIC_NOTE + "\n")
