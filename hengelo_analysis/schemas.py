"""pandera schemas of the processed tables: the contract between ``clean`` and the notebooks."""

from __future__ import annotations

import pandera.pandas as pa

from hengelo_analysis.areas import AREA_CODE_RE
from hengelo_analysis.errors import DataError

AREA_LEVELS = ["land", "gemeente", "wijk", "buurt"]

crime = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "gemeente_code": pa.Column("string", pa.Check.str_matches(r"^GM\d{4}$"), nullable=True),
        "area_name": pa.Column("string", nullable=True),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "crime_code": pa.Column("string", pa.Check.str_matches(r"^\d+\.\d+\.\d+$")),
        "crime_label": pa.Column("string"),
        # Nullable on purpose: missing means "not published", which is not 0.
        "registered": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    unique=["area_code", "year", "crime_code"],
    strict=True,
    coerce=True,
    name="crime",
)


def validate(schema: pa.DataFrameSchema, df, source: str):
    """Validate ``df``; a failure becomes one DataError naming the table, column and row."""
    try:
        return schema.validate(df, lazy=False)
    except pa.errors.SchemaError as exc:
        column = getattr(exc, "column_name", None)
        failure = getattr(exc, "failure_cases", None)
        row = None
        if failure is not None and hasattr(failure, "index") and len(failure) > 0:
            idx = failure["index"].iloc[0] if "index" in failure else None
            row = int(idx) + 1 if idx is not None and str(idx).isdigit() else None
        raise DataError(
            source, f"fails the {schema.name} schema: {exc}".splitlines()[0], column=column, row=row
        ) from exc


# --- survey and analyst-supplied tables (issue 4) ------------------------------------------------

SURVEY_INDICATORS = [
    "onveilig_buurt",
    "rapportcijfer_veiligheid",
    "overlast_drugsgebruik",
    "overlast_drugshandel",
    "overlast_dronken_mensen",
    "overlast_rondhangende_jongeren",
    "overlast_verwarde_personen",
    "tevreden_aanpak_gemeente",
    "slachtoffer_totaal",
    "slachtoffer_online",
]


def _bounds_order(df) -> bool:
    # lower <= value <= upper wherever published (suppressed cells are all missing)
    published = df["value"].notna()
    d = df[published]
    return bool(((d["lower"] <= d["value"] + 1e-9) & (d["value"] <= d["upper"] + 1e-9)).all())


survey = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "indicator": pa.Column("string", pa.Check.isin(SURVEY_INDICATORS)),
        "value": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "lower": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "upper": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
        "n": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "source": pa.Column("string", pa.Check.isin(["eigen_enquete", "veiligheidsmonitor"])),
        "method_note": pa.Column("string", nullable=True),
    },
    checks=pa.Check(_bounds_order, error="lower <= value <= upper"),
    unique=["area_code", "year", "indicator", "source"],
    strict=True,
    coerce=True,
    name="survey",
)

incidents = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "month": pa.Column("Int64", pa.Check.in_range(1, 12), nullable=True),
        "incident_code": pa.Column("string", pa.Check.str_matches(r"^[A-Z]\d{1,3}$")),
        "incidents": pa.Column("Int64", pa.Check.ge(0)),
    },
    unique=["area_code", "year", "month", "incident_code"],
    strict=True,
    coerce=True,
    name="incidents",
)

youth = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "measure": pa.Column("string", pa.Check.isin(["halt_verwijzingen", "jeugdreclassering"])),
        # Nullable: an empty cell in the supplied file is "no figure", never 0.
        "count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    unique=["area_code", "year", "measure"],
    strict=True,
    coerce=True,
    name="youth",
)

accidents = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(r"^GM\d{4}$")),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "severity": pa.Column("string", pa.Check.isin(["DOD", "LET", "UMS"])),
        "accidents": pa.Column("Int64", pa.Check.ge(0)),
    },
    unique=["area_code", "year", "severity"],
    strict=True,
    coerce=True,
    name="accidents",
)
