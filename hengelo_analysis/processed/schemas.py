"""pandera schemas of the processed tables: the contract between ``clean`` and the notebooks."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from hengelo_analysis import domain
from hengelo_analysis.domain import AREA_CODE_RE
from hengelo_analysis.errors import DataError

AREA_LEVELS = list(domain.LEVEL_ORDER)


def distinct_values_match(pattern: str) -> pa.Check:
    """A regex check run on the distinct values only: code columns are categorical and long."""
    return pa.Check(
        lambda s: (
            pd.Series(s.dropna().unique(), dtype="object").astype(str).str.fullmatch(pattern).all()
        ),
        name=f"distinct values match {pattern}",
    )


def distinct_values_in(allowed: list[str]) -> pa.Check:
    return pa.Check(lambda s: set(s.dropna().unique()) <= set(allowed), name=f"values in {allowed}")


crime = pa.DataFrameSchema(
    {
        "area_code": pa.Column("category", distinct_values_match(AREA_CODE_RE.pattern.strip("^$"))),
        "area_level": pa.Column("category", distinct_values_in(AREA_LEVELS)),
        "gemeente_code": pa.Column("category", distinct_values_match(r"GM\d{4}"), nullable=True),
        "area_name": pa.Column("category", nullable=True),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "crime_code": pa.Column("category", distinct_values_match(r"\d+\.\d+\.\d+")),
        "crime_label": pa.Column("category"),
        # Nullable on purpose: missing means "not published", which is not 0.
        "registered": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        # Perioden Status "Voorlopig": the police still add registrations to this year
        "provisional": pa.Column("bool"),
    },
    # Uniqueness of (area_code, year, crime_code) is checked by the cleaner, which can name the
    # file and row; repeating it here would double the cost on the national table.
    strict=True,
    coerce=False,
    name="crime",
)


# --- population and areas (KWB and PDOK; issue 3) ---------------------------------------------
population = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        # Nullable: missing = not published, or the code is not in that KWB year (see the flag).
        "inhabitants": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "stedelijkheid": pa.Column("Int64", pa.Check.in_range(1, 5), nullable=True),
        "kwb_table": pa.Column("string", pa.Check.str_matches(r"^\d{5}[A-Z]{3}$")),
        "population_flag": pa.Column(
            "string", pa.Check.isin(["not_published", "code_not_in_kwb_year"]), nullable=True
        ),
        # Bedrijfsvestigingen totaal on 1 January (KWB); missing where the table lacks it (C13).
        "business_establishments": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    unique=["area_code", "year"],
    strict=True,
    coerce=True,
    name="population",
)

POPULATION_GROUPS = [
    "age_0_15",
    "age_15_25",
    "age_25_45",
    "age_45_65",
    "age_65_plus",
    "sex_man",
    "sex_vrouw",
]
population_structure = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "group": pa.Column("string", pa.Check.isin(POPULATION_GROUPS)),
        "inhabitants": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    },
    unique=["area_code", "year", "group"],
    strict=True,
    coerce=True,
    name="population_structure",
)

areas = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "area_name": pa.Column("string", nullable=True),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "parent_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "geometry": pa.Column(
            checks=pa.Check(lambda s: s.notna() & ~s.is_empty & s.is_valid, element_wise=False)
        ),
    },
    unique=["area_code"],
    strict=True,
    coerce=True,
    name="areas",
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

# The survey vocabulary of docs/data-contract.md, defined once where the own survey is coded.


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
        "indicator": pa.Column("string", pa.Check.isin(list(domain.SURVEY_INDICATORS))),
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

# National Halt/jeugdreclassering, analyst-supplied (not open data): C14; every row names its source.
youth_national = pa.DataFrameSchema(
    {
        "area_code": pa.Column("string", pa.Check.isin(["NL00"])),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        "measure": pa.Column("string", pa.Check.isin(["halt_verwijzingen", "jeugdreclassering"])),
        "count": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "source": pa.Column("string", pa.Check.str_length(min_value=1)),
    },
    unique=["year", "measure"],
    strict=True,
    coerce=True,
    name="youth_national",
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


# --- police overlast and monthly crime (47021NED, 47024NED, 47022NED; issue 13) ----------------
def _month_level_columns(code: str, code_pattern: str) -> dict:
    return {
        "area_code": pa.Column("string", pa.Check.str_matches(AREA_CODE_RE.pattern)),
        "area_level": pa.Column("string", pa.Check.isin(AREA_LEVELS)),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100)),
        # Null = a year figure (JJ00 period); never add it to the months of that year.
        "month": pa.Column("Int64", pa.Check.in_range(1, 12), nullable=True),
        f"{code}_code": pa.Column("string", pa.Check.str_matches(code_pattern)),
        f"{code}_label": pa.Column("string"),
        # Nullable on purpose: missing means "not published", which is not 0.
        "registered": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        # Perioden Status "Voorlopig": the police still add registrations to these periods.
        "provisional": pa.Column("bool"),
    }


nuisance = pa.DataFrameSchema(
    _month_level_columns("nuisance", r"^(\d+\.\d+\.\d+|[A-Z]\d{2,4})$"),
    unique=["area_code", "year", "month", "nuisance_code"],
    strict=True,
    coerce=True,
    name="nuisance",
)

crime_monthly = pa.DataFrameSchema(
    _month_level_columns("crime", r"^\d+\.\d+\.\d+$"),
    unique=["area_code", "year", "month", "crime_code"],
    strict=True,
    coerce=True,
    name="crime_monthly",
)
