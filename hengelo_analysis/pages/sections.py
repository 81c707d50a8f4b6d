"""A section of a page as one value: key figure, sentence, figure with alt text, table.

A section helper computes everything a section shows and returns a :class:`Section`; the notebook
shows it with one ``sections.show(...)`` call. "Rate against Nederland" (drugs- en drankoverlast,
verkeersongevallen, rijden onder invloed) is :func:`rate_against_nl`, written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hengelo_analysis.analysis import indicators
from hengelo_analysis.domain import NL_CODE
from hengelo_analysis.formatting import format_number, rate_unit_label
from hengelo_analysis.pages import common, plots, tables

RATE_COLUMNS = [
    "area_code",
    "gebied",
    "year",
    "registered",
    "inhabitants",
    "rate",
    "lower",
    "upper",
    "ci_method",
]


@dataclass(frozen=True)
class KeyFigure:
    """One figure for ``key_figures.json`` (see :func:`hengelo_analysis.pages.tables.key_figure`)."""

    figure_id: str
    label: str
    value: object
    unit: str = ""
    decimals: int = 0


@dataclass(frozen=True)
class Section:
    """What one section shows, in this order; a part that is None is left out."""

    key_figure: KeyFigure | None = None
    sentence: str | None = None  # Markdown, data-derived text already escaped
    figure: object | None = None  # a matplotlib Figure
    alt: str = ""
    table: tables.Table | None = None


def show(section: Section, *, source: str) -> None:
    """Display a section: key figure, sentence, figure (with its alt text), table.

    ``source`` is the notebook's data source (demo figures are marked synthetic).
    """
    from IPython.display import Markdown, display

    k = section.key_figure
    if k is not None:
        tables.key_figure(k.figure_id, k.label, k.value, unit=k.unit, decimals=k.decimals)
    if section.sentence:
        display(Markdown(section.sentence))
    if section.figure is not None:
        plots.show_figure(section.figure, alt=section.alt, source=source)
    if section.table is not None:
        display(section.table)


def rates_with_nl(
    crime: pd.DataFrame | None,
    population: pd.DataFrame | None,
    gemeente: str,
    crime_code: str,
    peiljaar: int,
    unit: int = 1000,
    nl_code: str = NL_CODE,
    gemeente_name: str | None = None,
) -> pd.DataFrame:
    """Registered crimes of one code per year with rate and 95% interval, gemeente and Nederland.

    Columns: :data:`RATE_COLUMNS` (``gebied`` is the name for legends). A rate is missing when the
    count or the inhabitants are (no population table: all rates missing); no crime table gives an
    empty frame.
    """
    if crime is None or crime.empty:
        return pd.DataFrame(columns=RATE_COLUMNS)
    parts = []
    for area in (gemeente, nl_code):
        counts = indicators.yearly_counts(crime, area, crime_code)
        parts.append(counts[counts["year"] <= peiljaar].assign(area_code=area))
    counts = pd.concat(parts, ignore_index=True)
    if population is None:
        population = pd.DataFrame(
            {"area_code": pd.Series(dtype=str), "year": pd.Series(dtype="int64"), "inhabitants": []}
        )
    out = indicators.rates(counts, population, unit)
    out["gebied"] = out["area_code"].map(
        {gemeente: gemeente_name or gemeente, nl_code: "Nederland"}
    )
    return out[RATE_COLUMNS]


def rate_ratio_table(rates: pd.DataFrame, gemeente: str, nl_code: str = NL_CODE) -> pd.DataFrame:
    """Per year: the gemeente's rate, Nederland's rate and their ratio (missing when either is)."""
    own = rates[rates["area_code"] == gemeente].set_index("year")
    nl = rates[rates["area_code"] == nl_code].set_index("year")
    out = pd.DataFrame({"year": own.index})
    out["registered"] = own["registered"].to_numpy()
    out["rate"] = own["rate"].to_numpy()
    out["lower"] = own["lower"].to_numpy()
    out["upper"] = own["upper"].to_numpy()
    out["rate_nl"] = out["year"].map(nl["rate"]).astype("Float64")
    out["ratio"] = (out["rate"].astype("Float64") / out["rate_nl"]).astype("Float64")
    return out


def rate_sentence(
    table: pd.DataFrame, peiljaar: int, name: str, subject: str, unit_label: str
) -> str:
    """ "In 2024 registreerde de politie in Hengelo 170 verkeersongevallen: 2,10 per 1.000 inwoners
    (Nederland: 1,54)." from a :func:`rate_ratio_table`; ``name`` is used as given (escape it
    for Markdown first). Missing figures read "n.b.", never 0."""
    row = table[table["year"] == peiljaar]
    if row.empty:
        return f"Voor {peiljaar} zijn er geen politiecijfers over {subject} in {name}."
    r = row.iloc[0]
    return (
        f"In {peiljaar} registreerde de politie in {name} {format_number(r['registered'])} "
        f"{subject}: {format_number(r['rate'], 2)} {unit_label} "
        f"(Nederland: {format_number(r['rate_nl'], 2)})."
    )


def _ratio_display(
    table: pd.DataFrame, name: str, unit_label: str, caption: str, provisional=()
) -> tables.Table:
    shown = table.rename(
        columns={
            "year": "Jaar",
            "registered": "Geregistreerd (aantal)",
            "rate": f"{name} {unit_label}",
            "lower": "marge van",
            "upper": "marge tot",
            "rate_nl": f"Nederland {unit_label}",
            "ratio": "Verhouding tot Nederland",
        }
    )
    formats = {c: 2 for c in shown.columns[2:]}
    return tables.html_table(shown, caption, formats=formats, provisional=provisional)


@dataclass(frozen=True)
class RateTopic:
    """One police code shown against Nederland: how the page names it."""

    code: str  # 47018NED SoortMisdrijf, e.g. "1.3.1"
    figure_id: str  # key figure id, stable across years
    label: str  # "Verkeersongevallen": titles, captions, the key figure
    subject: str  # "verkeersongevallen": "registreerde de politie 170 …"
    alt_subject: str  # "verkeersongevallen": "Lijndiagram van geregistreerde … per jaar"


def rate_against_nl(
    tabellen, gemeente: str, peiljaar: int, rate_unit: int, name: str, topic: RateTopic
) -> Section:
    """The section "registered {topic} per inhabitants, the gemeente against Nederland"."""
    unit_label = rate_unit_label(rate_unit)
    rates = rates_with_nl(
        tabellen.get("crime"),
        tabellen.get("population"),
        gemeente,
        topic.code,
        peiljaar,
        rate_unit,
        gemeente_name=name,
    )
    table = rate_ratio_table(rates, gemeente)
    provisional = common.provisional_years(tabellen.get("crime"))
    peil = table[table["year"] == peiljaar]
    key = KeyFigure(
        topic.figure_id,
        f"{topic.label} ({topic.code}) {name}",
        peil["registered"].squeeze() if len(peil) else None,
        unit="registraties in het peiljaar",
    )
    caption = f"{topic.label} ({topic.code}) per jaar, {name} en Nederland ({unit_label})"
    shown = _ratio_display(table, name, unit_label, caption, provisional)
    name_md = tables.escape_markdown(name)
    if not table["registered"].notna().any():
        reason = f"geen politiecijfers ({topic.code}) voor {name_md}."
        return Section(key, common.insufficient(reason), table=shown)
    figure = plots.line_chart(
        rates.dropna(subset=["rate"]),
        x="year",
        y="rate",
        group="gebied",
        lower="lower",
        upper="upper",
        title=f"{topic.label} ({topic.code}), {name} en Nederland ({unit_label})",
        ylabel=unit_label,
        source=common.CRIME_SOURCE,
        provisional=provisional,
    )
    alt = (
        f"Lijndiagram van geregistreerde {topic.alt_subject} {unit_label} per jaar in {name} en in "
        "Nederland, met hun marges. "
        + rate_sentence(table, peiljaar, name, topic.subject, unit_label)
    )
    sentence = rate_sentence(table, peiljaar, name_md, topic.subject, unit_label)
    return Section(key, sentence, figure, alt, shown)
