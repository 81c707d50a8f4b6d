"""08 Digitale veiligheid: cybercrime (3.7.4) and fraud against traditional property crime (C11),
and online victimisation from the surveys.

The code groups are those claim C11 was judged with (from the findings document), so this page and
the verdict use the same definition of "digitaal" and "traditioneel".
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import claims, stats
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import NL_SURVEY_CODE
from hengelo_analysis.formatting import format_number, format_percentage
from hengelo_analysis.pages import common

ONLINE = "slachtoffer_online"
BREAK_NOTE = (
    "Let op: horizontale fraude (3.9.1) wordt pas sinds 2016 apart geregistreerd; reeksen met "
    "3.9.1 beginnen daarom in 2016. De Veiligheidsmonitor is sinds 2021 alleen online afgenomen "
    "en niet vergelijkbaar met 2019 en eerder."
)


def c11_codes(params: dict) -> tuple[list[str], list[str]]:
    """(digital codes, traditional codes) as claim C11 was judged with them (``params``: the
    claim's parameters from the findings document)."""
    return list(params["digital"]), list(params["traditional"])


def digital_groups() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The digital codes one by one, for a table per type (label from the police table)."""
    return (
        ("Cybercrime", ("3.7.4",)),
        ("Horizontale fraude", ("3.9.1",)),
        ("Verticale fraude", ("3.9.2",)),
        ("Fraude (overig)", ("3.9.3",)),
    )


def digital_vs_traditional(ctx: claims.Context, params: dict) -> pd.DataFrame:
    """Per year: digital and traditional counts and the digital share (%) of the two together.

    Only years where both groups are completely published (3.9.1 from 2016), so a share is never
    computed over a partly missing sum.

    Raises
    ------
    InsufficientData
        when either group has no complete year.
    """
    digital, traditional = c11_codes(params)
    d = claims.crime_series(ctx, [ctx.gemeente], digital)
    t = claims.crime_series(ctx, [ctx.gemeente], traditional)
    both = pd.concat([d.rename("digitaal"), t.rename("traditioneel")], axis=1, join="inner")
    if both.empty:
        raise InsufficientData("geen jaar met zowel digitale als traditionele cijfers")
    both["aandeel"] = 100 * both["digitaal"] / (both["digitaal"] + both["traditioneel"])
    out = both.reset_index().rename(columns={"index": "year"})
    out["year"] = out["year"].astype(int)
    out["digitaal"] = out["digitaal"].round().astype("Int64")
    out["traditioneel"] = out["traditioneel"].round().astype("Int64")
    return out


def index_series(shift: pd.DataFrame) -> pd.DataFrame:
    """Long table (reeks, year, index) with the first year = 100, for a line chart."""
    first = shift.iloc[0]
    parts = []
    for column, label in (
        ("digitaal", "digitaal (cybercrime en fraude)"),
        ("traditioneel", "traditionele vermogensdelicten"),
    ):
        base = float(first[column])
        index = shift[column].astype(float) / base * 100 if base > 0 else None
        parts.append(pd.DataFrame({"reeks": label, "year": shift["year"], "index": index}))
    return pd.concat(parts, ignore_index=True)


def shift_table(shift: pd.DataFrame) -> pd.DataFrame:
    """The yearly digital/traditional counts and share, with Dutch column names."""
    return pd.DataFrame(
        {
            "Jaar": shift["year"],
            "Digitaal (aantal)": shift["digitaal"],
            "Traditioneel (aantal)": shift["traditioneel"],
            "Aandeel digitaal (%)": shift["aandeel"].astype("Float64"),
        }
    )


def shift_alt(shift: pd.DataFrame, name: str) -> str:
    """Alt text of the index chart: both series' index in the last year and the shares."""
    first, last = shift.iloc[0], shift.iloc[-1]
    idx_d = 100 * float(last["digitaal"]) / float(first["digitaal"])
    idx_t = 100 * float(last["traditioneel"]) / float(first["traditioneel"])
    return (
        f"Lijndiagram met de ontwikkeling van digitale criminaliteit (cybercrime en fraude) en "
        f"traditionele vermogensdelicten in {name}, als index met {int(first['year'])} = 100. In "
        f"{int(last['year'])}: digitaal {format_number(idx_d, 0)}, traditioneel "
        f"{format_number(idx_t, 0)}; het aandeel digitaal gaat van "
        f"{format_percentage(first['aandeel'])} naar {format_percentage(last['aandeel'])}."
    )


def online_victims(survey: pd.DataFrame | None, gemeente: str, peiljaar: int) -> pd.DataFrame:
    """The survey's % online victims for the gemeente (each source) and NL, up to the peiljaar.

    Columns: area_code, source, year, value, lower, upper, method_note. Suppressed waves keep
    their missing value (shown as n.b.).
    """
    columns = ["area_code", "source", "year", "value", "lower", "upper", "method_note"]
    if survey is None:
        return pd.DataFrame(columns=columns)
    rows = survey[
        survey["area_code"].isin([gemeente, NL_SURVEY_CODE])
        & (survey["indicator"] == ONLINE)
        & (survey["year"] <= peiljaar)
    ]
    return rows[columns].sort_values(["area_code", "source", "year"], ignore_index=True)


def online_table(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """The online-victim waves with readable area and source names."""
    sources = {"eigen_enquete": "eigen enquête", "veiligheidsmonitor": "Veiligheidsmonitor"}
    return pd.DataFrame(
        {
            "Gebied": [name if a != NL_SURVEY_CODE else "Nederland" for a in rows["area_code"]],
            "Bron": [sources.get(s, s) for s in rows["source"]],
            "Jaar": rows["year"],
            "Slachtoffer online (%)": rows["value"].astype("Float64"),
            "95%-marge laag": rows["lower"].astype("Float64"),
            "95%-marge hoog": rows["upper"].astype("Float64"),
        }
    )


def online_change_sentence(rows: pd.DataFrame, gemeente: str) -> str:
    """Dutch sentence on the change between the gemeente's last two waves (per source).

    "stijgt"/"daalt" only when the z-test on the margins is significant; a Veiligheidsmonitor
    pair across 2021 is flagged as a method break.
    """
    own = rows[(rows["area_code"] == gemeente)].dropna(subset=["value", "lower", "upper"])
    parts = []
    labels = {"eigen_enquete": "de eigen enquête", "veiligheidsmonitor": "de Veiligheidsmonitor"}
    for source, part in own.groupby("source", sort=True):
        part = part.sort_values("year")
        if len(part) < 2:
            continue
        a, b = part.iloc[-2], part.iloc[-1]
        change = stats.survey_change(
            a["year"],
            a["value"],
            a["lower"],
            a["upper"],
            b["year"],
            b["value"],
            b["lower"],
            b["upper"],
            source=source,
        )
        verb = (
            ("stijgt" if change.difference > 0 else "daalt")
            if change.significant()
            else "verandert niet significant"
        )
        text = (
            f"het aandeel online slachtoffers volgens {labels.get(source, source)} {verb} van "
            f"{format_percentage(change.value1)} ({change.year1}) naar "
            f"{format_percentage(change.value2)} ({change.year2}, {stats.p_text(change.p_value)})"
        )
        if change.method_break:
            text += " (let op: methodebreuk 2021)"
        parts.append(text)
    if not parts:
        return "Onvoldoende gegevens: minder dan twee enquêtegolven met online slachtofferschap."
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def survey_notes(rows: pd.DataFrame) -> list[str]:
    """The distinct method notes of the survey rows (proxy regions, method breaks, weighting)."""
    notes = rows["method_note"].dropna().astype(str).str.strip()
    return sorted(n for n in notes.unique() if n)


def survey_notes_markdown(rows: pd.DataFrame) -> str:
    """The method notes as an escaped Markdown list ("" when there are none)."""
    from hengelo_analysis.pages.tables import escape_markdown

    notes = survey_notes(rows)
    if not notes:
        return ""
    return "Toelichting bij de enquêtecijfers:\n\n" + "\n".join(
        f"- {escape_markdown(common.readable_codes(n))}" for n in notes
    )


def shift_title(shift: pd.DataFrame, name: str) -> str:
    """Title of the index chart; the base year is the first year of the shift series."""
    return (
        f"Digitale en traditionele criminaliteit, {name} (index, {int(shift['year'].min())} = 100)"
    )


def share_in(shift: pd.DataFrame, year: int):
    """The digital share (%) of ``year``, or None when that year is not in the series."""
    hit = shift.loc[shift["year"] == year, "aandeel"]
    return hit.squeeze() if len(hit) else None
