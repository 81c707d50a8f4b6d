"""Survey claims: the shared rules (method break, proxy area, estimates) and C5 (direction and
"geen grote verschuivingen"); C6 is in :mod:`.alcohol_drugs`.

Each evaluator returns (verdict, evidence, detail sentence, test, plain summary) or raises InsufficientData.

Rules shared by both (docs/methodology.md):

- **Method break.** Veiligheidsmonitor waves on either side of 2021 (online only from then on) are
  not compared: the change would mix a real change with a mode effect. That is insufficient_data.
- **Proxy area.** When the figures describe another area (the Veiligheidsmonitor reports Twente,
  VR05, for a gemeente that is not in the table; ``method_note`` "regio VR05: ..."), they cannot
  support a claim about the gemeente: the verdict is at most not_supported, and the sentence and
  the evidence say which area the figures describe and what the test showed there.
- **Several tests.** Where every test must hold (each named item, each indicator) no correction is
  needed (an intersection-union test keeps its level) and the sentence says so; where any one
  test is enough (one item significantly the other way contradicts) Holm controls the
  family-wise error.
"""

from __future__ import annotations

import re

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import (
    Detail,
)
from hengelo_analysis.analysis.equivalence import SurveyEstimate, survey_change_test
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.analysis.survey_source import main_survey_source
from hengelo_analysis.domain import VM_METHOD_BREAK_YEAR
from hengelo_analysis.formatting import format_number

# the proxy clause may follow another clause of the note ("methodebreuk ...; regio VR05: ...")
PROXY_RE = re.compile(r"(?:^|;\s*)regio (\S+?):")
DIRECTIONS = {"rises": "stijgend", "falls": "dalend", "no significant change": "geen"}
EXPECTED_VALUES = frozenset({"stijgend", "dalend"})


def survey_rows(ctx: Context, indicators: list[str]) -> pd.DataFrame:
    """The gemeente's waves (≤ peiljaar) of ``indicators`` from one source, suppressed ones kept.

    Waves of two sources do not compare; the source is the one the page shows too
    (:func:`~hengelo_analysis.analysis.survey_source.main_survey_source`).
    """
    survey = ctx.table("survey")
    rows = survey[
        (survey["area_code"] == ctx.gemeente)
        & survey["indicator"].isin(indicators)
        & (survey["year"] <= ctx.peiljaar)
    ]
    if rows.empty:
        raise InsufficientData(f"geen enquêtecijfers voor {', '.join(indicators)}")
    source = main_survey_source(rows, ctx.gemeente, indicators, ctx.peiljaar)
    if source is None:
        raise InsufficientData(f"geen gepubliceerde enquêtecijfers voor {', '.join(indicators)}")
    return rows[rows["source"] == source]


def proxy_area(rows: pd.DataFrame) -> str | None:
    """The area the figures describe when it is not the gemeente itself (from ``method_note``)."""
    if "method_note" not in rows:
        return None
    for note in rows["method_note"].dropna():
        match = PROXY_RE.search(str(note))
        if match:
            return match.group(1)
    return None


def crosses_break(rows: pd.DataFrame, year1: int, year2: int) -> bool:
    """Whether two Veiligheidsmonitor waves lie on either side of the 2021 method break."""
    lo, hi = sorted((int(year1), int(year2)))
    vm = set(rows["source"]) == {"veiligheidsmonitor"}
    return vm and lo < VM_METHOD_BREAK_YEAR <= hi


def survey_change_between(
    rows: pd.DataFrame, indicator: str, year1: int, year2: int
) -> stats.SurveyChange:
    """Significance of the change of one indicator between two waves (z on the 95% margins)."""

    def pick(year):
        hit = rows[(rows["indicator"] == indicator) & (rows["year"] == year)]
        if hit.empty:
            raise InsufficientData(f"{indicator} ontbreekt voor {year}")
        return hit.iloc[0]

    a, b = pick(year1), pick(year2)
    source = str(a.get("source", "veiligheidsmonitor"))
    return stats.survey_change(
        year1,
        a["value"],
        a["lower"],
        a["upper"],
        year2,
        b["value"],
        b["lower"],
        b["upper"],
        source=source,
    )


def estimate(rows: pd.DataFrame, indicator: str, year: int) -> SurveyEstimate:
    hit = rows[(rows["indicator"] == indicator) & (rows["year"] == year)]
    if hit.empty:
        raise InsufficientData(f"{indicator} ontbreekt voor {year}")
    r = hit.iloc[0]
    if pd.notna(r["value"]) and not (r["lower"] <= r["value"] <= r["upper"]):
        # swapped or broken limits would give a negative or meaningless standard error
        raise InsufficientData(
            f"{indicator} {year}: interval {r['lower']}-{r['upper']} omvat de waarde "
            f"{r['value']} niet"
        )
    try:
        return SurveyEstimate.from_interval(r["value"], r["lower"], r["upper"])
    except InsufficientData as exc:
        raise InsufficientData(f"{indicator} {year}: {exc}") from exc


def _signed(value: float) -> str:
    text = format_number(value, 1)
    return text if text.startswith("-") or text == "0,0" else "+" + text


def area_note(proxy: str | None, ctx: Context) -> str:
    """The evidence clause saying which area the survey figures describe, by name."""
    gemeente = ctx.area_name()
    if proxy is None:
        return f"de cijfers gelden voor {gemeente} zelf"
    return (
        f"de cijfers gelden voor {proxy_name(proxy, ctx)}, niet voor {gemeente} zelf (de gemeente "
        "staat niet in de Veiligheidsmonitor-tabel): zij kunnen een uitspraak over de gemeente "
        "niet ondersteunen"
    )


def proxy_name(proxy: str, ctx: Context) -> str:
    """ "regio Twente (VR05)": the region's name with its code, or the code when it has none.

    The name comes from the tables, else from the survey's own ``method_note`` ("... de cijfers
    gelden voor Twente (VR05)"): a reader does not know what VR05 is.
    """
    name = ctx.area_name(proxy)
    if name == proxy:
        name = _note_title(ctx, proxy) or proxy
    return f"regio {name} ({proxy})" if name != proxy else f"regio {proxy}"


def _note_title(ctx: Context, code: str) -> str | None:
    """The region's title as the Veiligheidsmonitor note names it, without a "(VR)" suffix."""
    survey = ctx.tables.get("survey")
    if survey is None or "method_note" not in survey:
        return None
    pattern = re.compile(rf"gelden voor (.+?) \({re.escape(code)}\)")
    for note in survey["method_note"].dropna().astype(str).unique():
        match = pattern.search(note)
        if match:
            return re.sub(r"\s*\([A-Z]{1,3}\)$", "", match.group(1)).strip() or None
    return None


def area_plain(proxy: str | None, ctx: Context) -> str:
    """The summary's clause on the area: only when the figures describe another area."""
    if proxy is None:
        return ""
    return f"; let op: deze cijfers gaan over {proxy_name(proxy, ctx)}, niet over {ctx.area_name()}"


def eval_survey_direction_no_large_shift(claim: Claim, ctx: Context):
    """C5: each indicator moves the stated way, and no change is large (TOST within ±margin).

    Between the last two waves, for every indicator: the change is significant in its expected
    direction (95%, two-sided) AND its 90% interval lies inside ±``margin_pp`` (TOST). Every test
    must hold. Contradicted: a change significantly the other way (Holm over the indicators), or a
    change whose 95% interval lies wholly beyond the margin (a large shift is shown; when it goes
    the stated way the sentence says so: it contradicts "geen grote verschuivingen", not the
    direction). An ``expected`` value other than stijgend/dalend is an error naming the claim.
    """
    expected = dict(claim.params["expected"])
    wrong = {i: v for i, v in expected.items() if v not in EXPECTED_VALUES}
    if wrong:
        # a typo ("stijgt") would otherwise read as "the other way" and contradict the claim
        raise ValueError(
            f"claim {claim.id}: expected {wrong} in the claim file; allowed are "
            f"{', '.join(sorted(EXPECTED_VALUES))}"
        )
    indicators = list(expected)
    margin = claim.params["margin_pp"]
    rows = survey_rows(ctx, indicators)
    years = sorted(rows["year"].unique())
    if len(years) < 2:
        raise InsufficientData("minder dan twee enquêtegolven")
    y1, y2 = int(years[-2]), int(years[-1])
    if crosses_break(rows, y1, y2):
        raise InsufficientData(
            f"de golven {y1} en {y2} liggen aan weerszijden van de methodebreuk van de "
            f"Veiligheidsmonitor ({VM_METHOD_BREAK_YEAR}): geen vergelijking"
        )
    tests = {
        i: survey_change_test(estimate(rows, i, y1), estimate(rows, i, y2), margin)
        for i in indicators
    }
    holm = holm_decision([t.p_value for t in tests.values()], ALPHA, indicators)
    opposite = [
        i
        for i, rejected in zip(indicators, holm.rejected, strict=True)
        if rejected and DIRECTIONS[tests[i].direction] not in ("geen", expected[i])
    ]
    large = [i for i, t in tests.items() if t.lower95 > margin or t.upper95 < -margin]
    moved = all(DIRECTIONS[t.direction] == expected[i] for i, t in tests.items())
    small = all(t.equivalent for t in tests.values())
    if opposite or large:
        verdict = CONTRADICTED
    elif moved and small:
        verdict = SUPPORTED
    else:
        verdict = NOT_SUPPORTED
    proxy = proxy_area(rows)
    area_verdict = verdict
    if proxy is not None and verdict == SUPPORTED:
        verdict = NOT_SUPPORTED
    detail = Detail()
    for i, t in tests.items():
        detail.directed(
            claim.params["labels"][i],
            DIRECTIONS[t.direction],
            f" ({format_number(t.value1, 1)}% in {y1}, {format_number(t.value2, 1)}% in {y2}; "
            f"verschil {_signed(t.change)} procentpunt, 90%-interval {_signed(t.lower90)} tot "
            f"{_signed(t.upper90)}, marge ±{format_number(margin, 1)}: "
            + ("binnen de marge" if t.equivalent else "niet aangetoond binnen de marge")
            + ")",
        )
    stated_way = [
        i for i in large if i not in opposite and DIRECTIONS[tests[i].direction] == expected[i]
    ]
    if stated_way:
        detail.add(
            "de verandering gaat de genoemde kant op, maar is groter dan de marge bij "
            + ", ".join(claim.params["labels"][i] for i in stated_way)
            + ": 'geen grote verschuivingen' klopt daar niet"
        )
    detail.add(claim.params["measured_note"])
    detail.add(
        "ondersteund alleen als elke verandering de genoemde kant op gaat én binnen de marge blijft"
    )
    detail.add(area_note(proxy, ctx))
    evidence = {
        i: {
            **{k: rounded(v, 4) for k, v in t.as_dict().items() if isinstance(v, float)},
            "richting": DIRECTIONS[t.direction],
            "verwacht": expected[i],
            "binnen_marge": t.equivalent,
        }
        for i, t in tests.items()
    }
    evidence.update(
        {
            "golven": [y1, y2],
            "marge_procentpunt": margin,
            "holm_andere_kant": holm.as_dict(),
            "andere_kant": opposite,
            "grote_verschuiving_genoemde_kant": stated_way,
            "gebied": proxy or ctx.gemeente,
            "proxy": proxy is not None,
            "oordeel_voor_gebied": area_verdict,
            "richtingen": detail.directions,
        }
    )
    changes = [
        f"{claim.params['labels'][i]} {plain.PAST[DIRECTIONS[t.direction]]} "
        f"({format_number(t.value1, 1)}% in {y1}, {format_number(t.value2, 1)}% in {y2})"
        for i, t in tests.items()
    ]
    summary = plain.sentence(
        "; ".join(changes),
        # equivalence (TOST) shows no change beyond the margin, so the summary says the margin
        f"; grote verschuivingen (meer dan {plain.margin_text(margin)} procentpunt) waren er niet"
        if small
        else "; een grote verschuiving is er bij "
        + ", ".join(claim.params["labels"][i] for i in large)
        if large
        else "",
        area_plain(proxy, ctx),
    )
    return verdict, evidence, detail.text(), next(iter(tests.values())).method, summary
