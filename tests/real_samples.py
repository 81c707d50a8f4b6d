"""The real recorded samples (``tests/fixtures/real/``) as OData table folders the parsers read.

The samples are renderings of real OData rows by third-party clients: CSV written by the R client
``cbsodataR`` and JSON lists dumped by the Python ``cbsodata``, plus one Atom/XML page. None has the
OData v3 JSON envelope the parsers expect, so this helper

* reads the R CSV back into the served values (``read_r_csv``: quoted cell → the string as served,
  padding kept; unquoted empty or ``NA`` → ``null``; unquoted numbers → numbers; ``TRUE``/``FALSE``
  → booleans),
* parses the Atom page into rows (``atom_rows``: ``m:type`` ints → int, an empty element →
  ``null``, ``xml:space="preserve"`` padding kept),
* wraps rows in ``{"odata.metadata": ..., "value": [...]}`` and writes a table folder
  (``write_table``).

It changes no value. Where a needed entity set was never recorded (the ``DataProperties`` of
47021NED and 47024NED), :func:`overlast_properties` builds it from the real 47018NED one and says
so: those tests prove the parser on real keys and rows, not that CBS names the columns so.
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from hengelo_analysis.sources.odata import dump_document, envelope

REAL = Path(__file__).parent / "fixtures" / "real"
FEED = "https://dataderden.cbs.nl/ODataFeed/OData"
UNQUOTED_CELL = re.compile(r"[^,\r\n]*")
INT_RE = re.compile(r"^-?\d+$")
FLOAT_RE = re.compile(r"^-?\d*\.\d+(?:[eE][-+]?\d+)?$")
ATOM_NS = {
    "a": "http://www.w3.org/2005/Atom",
    "m": "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata",
    "d": "http://schemas.microsoft.com/ado/2007/08/dataservices",
}
EDM_INTS = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte"}


def _unquoted(cell: str):
    if cell in ("", "NA"):
        return None
    if cell in ("TRUE", "FALSE"):
        return cell == "TRUE"
    if INT_RE.match(cell):
        return int(cell)
    if FLOAT_RE.match(cell):
        return float(cell)
    return cell


def read_r_csv(path: Path) -> list[dict]:
    """Rows of a CSV written by R ``write.csv``, with quoted/unquoted cells told apart.

    The csv module cannot tell ``""`` (an empty string as served) from an empty unquoted cell (NA
    = ``null``), nor ``"2019"`` from ``2019``; this reader can. Quoted cells may span lines.
    """
    text = path.read_bytes().decode("utf-8")  # not read_text: keep "\r\n" inside cells as served
    records: list[list] = []
    fields: list = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            parts, j = [], i + 1
            while True:
                k = text.index('"', j)
                parts.append(text[j:k])
                if text[k + 1 : k + 2] == '"':  # a doubled quote inside a quoted cell
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            fields.append("".join(parts))
        else:
            m = UNQUOTED_CELL.match(text, i)
            fields.append(_unquoted(m.group()))
            i = m.end()
        if i < n and text[i] == ",":
            i += 1
            if i == n:
                fields.append(None)
            continue
        if text[i : i + 2] == "\r\n":
            i += 2
        elif i < n:
            i += 1
        records.append(fields)
        fields = []
    if fields:
        records.append(fields)
    header, *body = records
    return [dict(zip(header, r, strict=True)) for r in body if r != [None]]


def read_json_list(path: Path) -> list[dict]:
    """A JSON dump of served dicts (``cbsodata``): already the rows, without the envelope."""
    return json.loads(path.read_text(encoding="utf-8"))


def atom_rows(path: Path) -> list[dict]:
    """The ``m:properties`` of every Atom entry as a row, typed by ``m:type``; empty → ``null``."""
    root = ET.parse(path).getroot()
    rows = []
    for props in root.iterfind("a:entry/a:content/m:properties", ATOM_NS):
        row = {}
        for element in props:
            name = element.tag.split("}", 1)[1]
            kind = element.get(f"{{{ATOM_NS['m']}}}type")
            null = element.get(f"{{{ATOM_NS['m']}}}null") == "true"
            text = element.text
            if null or text is None:
                row[name] = None
            elif kind in EDM_INTS:
                row[name] = int(text)
            else:
                row[name] = text
        rows.append(row)
    return rows


def write_table(folder: Path, table_id: str, sets: dict[str, list[dict]]) -> Path:
    """Write entity sets as the OData v3 JSON documents the API returns (``TypedDataSet`` paged)."""
    target = folder / table_id
    target.mkdir(parents=True, exist_ok=True)
    for name, rows in sets.items():
        doc = envelope(f"{FEED}/{table_id}/$metadata#Cbs.OData.WebAPI.{name}", rows)
        file_name = "TypedDataSet-0001.json" if name == "TypedDataSet" else f"{name}.json"
        (target / file_name).write_bytes(dump_document(doc))
    return target


# --- the recorded files, by table --------------------------------------------------------------


def police_47018(name: str) -> list[dict]:
    return read_r_csv(REAL / "47018NED" / f"bernasco_{name}.csv")


def police_dimension(name: str) -> list[dict]:
    return read_r_csv(REAL / "police_dims" / f"{name}.csv")


def kwb_properties_2024() -> list[dict]:
    """85984NED DataProperties, release of 2024-08-16 (R CSV)."""
    return read_r_csv(REAL / "85984NED" / "bernasco_DataProperties.csv")


def kwb_properties_2025() -> list[dict]:
    """85984NED DataProperties, release of 2025-03-27 (cbsodata JSON)."""
    return read_json_list(REAL / "85984NED" / "niquedegraaff_DataProperties_85984NED_2025-03.json")


def overlast_properties(region_key: str, measure: str = "GeregistreerdeOverlast_1") -> list[dict]:
    """CONSTRUCTED, not recorded: 47021NED/47024NED DataProperties in the shape of 47018NED's.

    The real 47018NED rows with the category dimension renamed ``Overlast``, the region dimension
    ``region_key`` (``RegioS`` for 47021NED; a ``GeoDimension`` there, as in other RegioS tables)
    and the count topic ``measure`` (``GeregistreerdeOverlast_1`` per data-sources.md §1.2, [V]).
    To verify on the first online run: ``GET /47021NED/DataProperties``.
    """
    props = copy.deepcopy(police_47018("DataProperties"))
    for p in props:
        if p["Type"] == "Dimension":
            p.update(Key="Overlast", Title="Overlast")
        elif p["Type"] == "GeoDetail" and region_key == "RegioS":
            p.update({"odata.type": "Cbs.OData.GeoDimension", "Type": "GeoDimension"})
            p.update(Key="RegioS", Title="Regio's", Description="", MapYear=None)
        elif p["Key"] == "GeregistreerdeMisdrijven_1":
            p.update(Key=measure, Title="Geregistreerde overlast", Description="")
    if region_key == "RegioS":  # 47021NED has no name columns per gemeente (data-sources §1.2)
        props = [p for p in props if p["Key"] not in ("Gemeentenaam_2", "SoortRegio_3")]
        props = [p for p in props if p["Type"] != "TopicGroup"]
    return props


def national_overlast_rows() -> list[dict]:
    """DERIVED: the NL01 series of 47021NED (a third party's yearly sums, real-samples §6) as rows.

    Each row carries the real keys as served (``Overlast`` ``"E33   "``, ``RegioS`` ``"NL01  "``),
    looked up by the category title the control file uses.
    """
    keys = {r["Title"]: r["Key"] for r in police_dimension("47021NED_Overlast")}
    nl = next(r["Key"] for r in police_dimension("47021NED_RegioS") if r["Key"].strip() == "NL01")
    control = read_r_csv(
        REAL / "derived_controls" / "bernasco_staat_nl_alldisorder_allyears_47021NED.csv"
    )
    return [
        {
            "ID": i,
            "Overlast": keys[r["incident_type_code"]],
            "RegioS": nl,
            "Perioden": f"{r['year']}JJ00",
            "GeregistreerdeOverlast_1": r["incident_count"],
        }
        for i, r in enumerate(control)
    ]
