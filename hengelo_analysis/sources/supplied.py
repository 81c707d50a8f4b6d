"""Analyst-supplied files under ``raw/<source>/supplied/``: E33 incidents, Halt/jeugdreclassering, BRON.

Analysts receive these figures from partners (politie, Halt, Rijkswaterstaat) and usually pass them
through Excel, so the reader accepts what Excel writes: ``;`` or ``,`` as separator, decimal commas,
UTF-8 with or without a BOM. It sniffs, but refuses to guess: a file that is not UTF-8, a header that
fits neither separator, or a header that fits both is a :class:`DataError` naming the file. Every
problem names the file, the column and the row (the line number as Excel shows it: header = 1).
The templates are documented in ``docs/templates.md`` with an example in ``docs/templates/``.

Processed tables (docs/data-contract.md): ``incidents``, ``youth``, ``accidents``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hengelo_analysis.domain import (
    AREA_CODE_RE,
    BRON_BREAK_LAST_YEAR,  # noqa: F401 (the readers' own name)
)
from hengelo_analysis.errors import DataError
from hengelo_analysis.sources import rawfiles
from hengelo_analysis.sources.checks import MAX_COUNT, non_number_text

SUPPLIED_DIR = "supplied"
E33_FILE = "e33_incidenten.csv"
YOUTH_FILE = "jeugd.csv"
BRON_DIR = "bron"
BRON_FILE = "ongevallen.txt"

FIRST_YEAR = 1990
LAST_YEAR = 2100
SEPARATORS = (";", ",")
INT_RE = re.compile(r"^-?\d+$")
DECIMAL_RE = re.compile(r"^-?\d+(?:[.,]\d+)?$")
WIJK_RE = re.compile(r"^WK\d{4}[0-9A-Z]{2}$")
BUURT_RE = re.compile(r"^BU\d{4}[0-9A-Z]{4}$")
SEVERITIES = ("DOD", "LET", "UMS")
YOUTH_MEASURES = ("halt_verwijzingen", "jeugdreclassering")


@dataclass(frozen=True)
class CsvTable:
    """A supplied file read as text: ``frame`` (all str), the separator and the first data line."""

    path: Path
    frame: pd.DataFrame
    separator: str

    def line(self, index) -> int:
        """The line number of data row ``index`` as Excel shows it (header is line 1)."""
        return int(index) + 2


def _decode(path: Path, data: bytes, fallback_encoding: str | None = None) -> str:
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise DataError(path, "empty file: expected a header line and data rows")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(path, "UTF-16 text: save it from Excel as 'CSV UTF-8 (door komma's…)'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if fallback_encoding is not None:
            # Machine-written files (BRON) whose producer's encoding is documented, not guessed.
            return data.decode(fallback_encoding, errors="strict")
        # An analyst's file: cp1252 and latin-1 cannot be told apart reliably; refuse, don't guess.
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            path,
            "not UTF-8 text (Excel 'CSV' saves Windows-1252): save it as 'CSV UTF-8'",
            row=line,
        ) from exc


def _sniff_separator(path: Path, header: str, expected: Iterable[str]) -> str:
    """``;`` or ``,``: the one that splits the header into the expected column names."""
    expected = {c.lower() for c in expected}
    fits = []
    for sep in SEPARATORS:
        names = {c.strip().strip('"').lower() for c in header.split(sep)}
        if expected & names and len(header.split(sep)) > 1:
            fits.append((len(expected & names), sep))
    if not fits:
        if "\t" in header:
            problem = "tab-separated; expected ';' or ',' as separator"
        else:
            problem = "header does not split into the template columns with ';' or ','"
        raise DataError(path, f"wrong separator: {problem}", row=1)
    fits.sort(reverse=True)
    if len(fits) > 1 and fits[0][0] == fits[1][0]:
        raise DataError(path, "ambiguous separator: the header splits on both ';' and ','", row=1)
    return fits[0][1]


def read_csv(
    path: str | Path,
    expected: Iterable[str],
    required: Iterable[str],
    *,
    fallback_encoding: str | None = None,
) -> CsvTable:
    """Read a supplied CSV as strings, sniffing encoding and separator; check required columns.

    Parameters
    ----------
    path : the file
    expected : every column the template knows (used to choose the separator)
    required : columns that must be present
    fallback_encoding : encoding to use when the file is not UTF-8 (only for machine-written
        files with a known encoding); ``None`` refuses non-UTF-8 files
    """
    path = Path(path)
    text = _decode(path, rawfiles.read_bytes(path), fallback_encoding)
    header = text.splitlines()[0]
    if not header.strip():
        raise DataError(path, "the first line is empty: expected the header", row=1)
    expected = list(expected)
    sep = _sniff_separator(path, header, expected)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            # Blank lines are kept (and dropped below) so the index stays the line number - 2.
            skip_blank_lines=False,
            skipinitialspace=True,
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise DataError(
            path,
            f"not a valid CSV file: {exc}".splitlines()[0],
            row=int(found.group(1)) if found else None,
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    lower = {c.lower(): c for c in frame.columns}
    frame = frame.rename(columns={lower[c.lower()]: c for c in expected if c.lower() in lower})
    for column in required:
        if column not in frame.columns:
            raise DataError(path, "column missing from the header", column=column, row=1)
    frame = frame.fillna("").apply(lambda s: s.str.strip())
    # Excel leaves rows of bare separators (";;;;") below the data: they are not records.
    frame = frame[(frame != "").any(axis=1)]
    if frame.empty:
        raise DataError(path, "no data rows below the header")
    return CsvTable(path, frame, sep)


def parse_int(
    table: CsvTable,
    column: str,
    *,
    nullable: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> pd.Series:
    """A whole-number column as ``Int64``; text, decimals or out-of-range values are a DataError."""
    values = table.frame[column]
    for index, raw in values.items():
        if raw == "":
            if nullable:
                continue
            raise DataError(
                table.path, "empty cell: a number is required", column=column, row=table.line(index)
            )
        if not INT_RE.match(raw):
            problem = non_number_text(raw) or f"not a whole number: {raw!r}"
            raise DataError(table.path, problem, column=column, row=table.line(index))
        number = int(raw)
        if abs(number) > MAX_COUNT:  # pandas would fail on it, or wrap it to a negative Int64
            raise DataError(
                table.path,
                f"number too large for an integer: {raw}",
                column=column,
                row=table.line(index),
            )
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            raise DataError(
                table.path,
                f"{number} outside {minimum}..{maximum}",
                column=column,
                row=table.line(index),
            )
    return pd.to_numeric(values.replace("", None)).astype("Int64")


def parse_decimal(table: CsvTable, column: str, *, nullable: bool = True) -> pd.Series:
    """A decimal column (``1,25`` or ``1.25``) as float; mixing both marks in one column is refused."""
    values = table.frame[column]
    marks = set()
    for index, raw in values.items():
        if raw == "":
            if nullable:
                continue
            raise DataError(
                table.path, "empty cell: a number is required", column=column, row=table.line(index)
            )
        if not DECIMAL_RE.match(raw):
            problem = non_number_text(raw) or f"not a number: {raw!r}"
            raise DataError(table.path, problem, column=column, row=table.line(index))
        if "," in raw:
            if table.separator == ",":  # only possible when quoted: refuse, the file is odd
                raise DataError(
                    table.path,
                    f"decimal comma in a comma-separated file: {raw!r}",
                    column=column,
                    row=table.line(index),
                )
            marks.add(",")
        elif "." in raw:
            marks.add(".")
        if len(marks) > 1:
            raise DataError(
                table.path,
                f"ambiguous number {raw!r}: the column mixes decimal comma and decimal point",
                column=column,
                row=table.line(index),
            )
    return pd.to_numeric(values.str.replace(",", ".", regex=False).replace("", None)).astype(
        "float64"
    )


def check_area_codes(
    table: CsvTable, column: str, known_areas: set[str] | None, *, allow_gemeente: bool = True
) -> pd.Series:
    """Trimmed area codes; a malformed code, or a wijk/buurt code not in ``known_areas``, is refused."""
    codes = table.frame[column].str.upper()
    for index, code in codes.items():
        ok = AREA_CODE_RE.match(code) and (allow_gemeente or not code.startswith(("GM", "NL")))
        if not ok:
            raise DataError(
                table.path, f"not an area code: {code!r}", column=column, row=table.line(index)
            )
        if known_areas is not None and code.startswith(("WK", "BU")) and code not in known_areas:
            raise DataError(
                table.path,
                f"unknown wijk/buurt code {code!r} (not in the area lists of this source)",
                column=column,
                row=table.line(index),
            )
    return codes.astype("string")


def refuse_duplicates(table: CsvTable, frame: pd.DataFrame, keys: list[str], column: str) -> None:
    dup = frame.duplicated(keys, keep="first")
    if dup.any():
        index = frame.index[dup][0]
        what = ", ".join(str(frame.at[index, k]) for k in keys)
        raise DataError(
            table.path, f"duplicate row for {what}", column=column, row=table.line(index)
        )


# --- E33 incidents -------------------------------------------------------------------------------

E33_COLUMNS = ("gebiedscode", "jaar", "maand", "incidentcode", "aantal")


def clean_incidents(path: str | Path, known_areas: set[str] | None = None) -> pd.DataFrame:
    """``e33_incidenten.csv`` → ``incidents`` (area_code, year, month, incident_code, incidents).

    An empty ``maand`` means a yearly figure; ``incidentcode`` defaults to ``E33``.
    """
    table = read_csv(path, E33_COLUMNS, ("gebiedscode", "jaar", "aantal"))
    f = table.frame
    out = pd.DataFrame(
        {
            "area_code": check_area_codes(table, "gebiedscode", known_areas),
            "year": parse_int(table, "jaar", minimum=FIRST_YEAR, maximum=LAST_YEAR),
            "month": parse_int(table, "maand", nullable=True, minimum=1, maximum=12)
            if "maand" in f
            else pd.Series(pd.NA, index=f.index, dtype="Int64"),
            "incident_code": (
                f["incidentcode"].replace("", "E33").str.upper() if "incidentcode" in f else "E33"
            ),
            "incidents": parse_int(table, "aantal", minimum=0),
        },
        index=f.index,
    )
    out["incident_code"] = out["incident_code"].astype("string")
    refuse_duplicates(table, out, ["area_code", "year", "month", "incident_code"], "jaar")
    return out.sort_values(["area_code", "incident_code", "year", "month"], ignore_index=True)


# --- Halt and jeugdreclassering ------------------------------------------------------------------

YOUTH_COLUMNS = ("gebiedscode", "jaar", *YOUTH_MEASURES)


def clean_youth(path: str | Path, known_areas: set[str] | None = None) -> pd.DataFrame:
    """``jeugd.csv`` (one row per area and year, a column per measure) → ``youth`` (tidy).

    An empty cell means "no figure supplied" and becomes a missing count, never 0.
    """
    table = read_csv(path, YOUTH_COLUMNS, ("gebiedscode", "jaar"))
    f = table.frame
    measures = [m for m in YOUTH_MEASURES if m in f.columns]
    if not measures:
        raise DataError(table.path, "no measure column", column=" or ".join(YOUTH_MEASURES), row=1)
    wide = pd.DataFrame(
        {
            "area_code": check_area_codes(table, "gebiedscode", known_areas),
            "year": parse_int(table, "jaar", minimum=FIRST_YEAR, maximum=LAST_YEAR),
        },
        index=f.index,
    )
    refuse_duplicates(table, wide, ["area_code", "year"], "jaar")
    for m in measures:
        wide[m] = parse_int(table, m, nullable=True, minimum=0)
    out = wide.melt(["area_code", "year"], measures, var_name="measure", value_name="count")
    out["measure"] = out["measure"].astype("string")
    out["count"] = out["count"].astype("Int64")
    return out.sort_values(["area_code", "measure", "year"], ignore_index=True)


# --- BRON road accidents -------------------------------------------------------------------------

BRON_REQUIRED = ("VKL_NUMMER", "JAAR_VKL", "AP3_CODE", "GME_ID", "GME_NAAM")


def clean_accidents(paths: Iterable[str | Path]) -> pd.DataFrame:
    """BRON ``ongevallen.txt`` files (one per year or several years) → ``accidents``.

    One row per accident (``VKL_NUMMER``); aggregated per gemeente (``GME_ID`` → ``GM0164``), year
    and severity ``AP3_CODE`` (DOD fatal, LET injury, UMS material damage only). An accident number
    seen twice, within or across files, is refused: the files would be double-counted.
    """
    frames = []
    seen: dict[str, tuple[Path, int]] = {}
    for path in sorted(Path(p) for p in paths):
        # BRON comes from Rijkswaterstaat, not through Excel; older releases are Windows-1252.
        table = read_csv(path, BRON_REQUIRED, BRON_REQUIRED, fallback_encoding="cp1252")
        f = table.frame
        year = parse_int(table, "JAAR_VKL", minimum=FIRST_YEAR, maximum=LAST_YEAR)
        gme = parse_int(table, "GME_ID", minimum=1, maximum=9999)
        severity = f["AP3_CODE"].str.upper()
        for index, code in severity.items():
            if code not in SEVERITIES:
                raise DataError(
                    path,
                    f"unknown severity {code!r}: expected DOD, LET or UMS",
                    column="AP3_CODE",
                    row=table.line(index),
                )
        for index, number in f["VKL_NUMMER"].items():
            if number == "":
                raise DataError(
                    path, "empty accident number", column="VKL_NUMMER", row=table.line(index)
                )
            if number in seen:
                first_path, first_line = seen[number]
                raise DataError(
                    path,
                    f"duplicate accident {number!r} (first seen in {first_path.name} line {first_line})",
                    column="VKL_NUMMER",
                    row=table.line(index),
                )
            seen[number] = (path, table.line(index))
        frames.append(
            pd.DataFrame(
                {
                    "area_code": gme.map(lambda g: f"GM{int(g):04d}"),
                    "year": year,
                    "severity": severity,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["area_code", "year", "severity", "accidents"])
    all_rows = pd.concat(frames, ignore_index=True)
    counts = all_rows.groupby(["area_code", "year", "severity"]).size()
    # A gemeente-year in the files with no fatal accident has 0 of them: a real zero, not missing.
    present = all_rows[["area_code", "year"]].drop_duplicates()
    grid = pd.MultiIndex.from_tuples(
        [(a, y, s) for a, y in present.itertuples(index=False) for s in SEVERITIES],
        names=["area_code", "year", "severity"],
    )
    out = counts.reindex(grid, fill_value=0).rename("accidents").reset_index()
    out["area_code"] = out["area_code"].astype("string")
    out["severity"] = out["severity"].astype("string")
    out["accidents"] = out["accidents"].astype("Int64")
    return out.sort_values(["area_code", "year", "severity"], ignore_index=True)


def bron_files(supplied_dir: Path) -> list[Path]:
    """Every ``ongevallen.txt`` under ``supplied/bron/`` (the unpacked yearly zips keep their folders)."""
    # Only regular files: a named pipe called ongevallen.txt would block the read forever.
    return sorted(p for p in rawfiles.walk_files(supplied_dir / BRON_DIR) if p.name == BRON_FILE)
