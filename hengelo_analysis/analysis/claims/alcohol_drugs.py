"""C6: "de overlast van alcohol en drugs neemt toe" - named survey items and police figures.

The survey rules (method break, proxy area, every item needed) are those of :mod:`.survey`; the
police part adds 2.1.1 (misdrijven) and E38 (overlast, the ``nuisance`` table) since the base year.
"""

from __future__ import annotations

import pandas as pd

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.fits import labels_text
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    INSUFFICIENT,
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import (
    Detail,
    calendar_rows,
    crime_trend,
    significant_direction,
    trend_evidence,
)
from hengelo_analysis.analysis.claims.survey import (
    area_note,
    area_plain,
    crosses_break,
    estimate,
    proxy_area,
    survey_change_between,
    survey_rows,
)
from hengelo_analysis.analysis.equivalence import survey_change_test
from hengelo_analysis.analysis.multiplicity import holm_decision
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import ALCOHOL_DRUGS_NUISANCE, VM_METHOD_BREAK_YEAR
from hengelo_analysis.formatting import format_number


def _police_trends(claim: Claim, ctx: Context, base: int, detail: Detail) -> tuple[dict, dict]:
    """2.1.1 (misdrijven) and E38 (overlast, nuisance table) since ``base``: trends or reasons."""
    trends, evidence = {}, {}
    code = claim.params["police_code"]
    try:
        trends[code] = crime_trend(ctx, [ctx.gemeente], [code], since=base)
    except InsufficientData as exc:
        evidence[code] = {"reden": str(exc)}
    nuisance = ctx.tables.get("nuisance")
    e38 = ALCOHOL_DRUGS_NUISANCE
    if nuisance is None:
        evidence[e38] = {"reden": "tabel 'nuisance' ontbreekt"}
    else:
        years = calendar_rows(ctx, "nuisance", "nuisance_code", [e38])
        own = years[
            (years["area_code"] == ctx.gemeente)
            & years["year"].between(base, ctx.peiljaar)
            & years["registered"].notna()
        ].sort_values("year")
        try:
            trends[e38] = stats.poisson_trend(own["year"], own["registered"].astype(float))
        except InsufficientData as exc:
            evidence[e38] = {"reden": str(exc)}
    labels = {code: f"drugs-/drankoverlast-misdrijven ({code})", e38: f"overlastmeldingen {e38}"}
    for c, t in trends.items():
        detail.trend(f"{labels[c]} bij de politie sinds {base}", t)
        evidence[c] = trend_evidence(t)
    return trends, evidence


def eval_survey_up_and_police(claim: Claim, ctx: Context):
    """C6: named nuisance items significantly more often than in the base wave and named most,
    and the police figures (2.1.1, E38) rise.

    Every named item is needed in both waves: a missing or suppressed one gives insufficient_data,
    never a smaller denominator. "Het meest genoemd": in the latest wave each named item lies
    significantly above every other nuisance item (z on the difference; every pair must hold).
    Supported only when every survey test and every police trend holds; contradicted when a named
    item is significantly lower (Holm) or a police series falls significantly (Holm), with no
    part in favour.
    """
    named = list(claim.params["indicators"])
    base = claim.params["base_year"]
    survey = ctx.table("survey")
    all_items = sorted(i for i in survey["indicator"].unique() if str(i).startswith("overlast_"))
    rows = survey_rows(ctx, sorted(set(all_items) | set(named)))
    latest = int(rows["year"].max())
    if latest <= base:
        raise InsufficientData(f"geen enquêtegolf na {base}")
    missing = []
    for i in named:
        for y in (base, latest):
            try:
                estimate(rows, i, y)
            except InsufficientData:
                missing.append(f"{i} {y}")
    detail = Detail()
    police, police_evidence = _police_trends(claim, ctx, base, detail)
    proxy = proxy_area(rows)
    evidence: dict = {"gebied": proxy or ctx.gemeente, "proxy": proxy is not None}
    evidence.update(police_evidence)
    if missing:
        evidence["ontbreekt"] = missing
        reason = (
            f"genoemde overlastitems ontbreken of zijn onderdrukt ({', '.join(missing)}): "
            "zonder elk item geen oordeel"
        )
    elif crosses_break(rows, base, latest):
        reason = (
            f"{base} en {latest} liggen aan weerszijden van de methodebreuk van de "
            f"Veiligheidsmonitor ({VM_METHOD_BREAK_YEAR}): 'vaker dan in {base}' is niet te toetsen"
        )
    else:
        reason = None
    if reason is not None:
        detail.parts.insert(0, reason)
        detail.add(area_note(proxy, ctx))
        evidence["reden"] = reason
        evidence["richtingen"] = detail.directions
        summary = plain.sentence(
            "Niet te zeggen:",
            "niet elke genoemde soort overlast is in beide jaren gemeten of gepubliceerd"
            if missing
            else f"de enquêtes van {base} en {latest} zijn op een andere manier gehouden en niet "
            "te vergelijken",
        )
        return (
            INSUFFICIENT,
            evidence,
            detail.text(),
            "z-toets op enquêtemarges; quasi-Poisson (t)",
            summary,
        )
    changes = {i: survey_change_between(rows, i, base, latest) for i in named}
    up = [i for i, c in changes.items() if c.significant() and c.difference > 0]
    holm = holm_decision([c.p_value for c in changes.values()], ALPHA, named)
    down = [i for i, r in zip(named, holm.rejected, strict=True) if r and changes[i].difference < 0]
    ranking = _ranking(rows, named, latest, claim.params["labels"])
    police_holm = holm_decision([t.p_value for t in police.values()] or [1.0], ALPHA)
    police_down = bool(police) and any(
        r and t.pct_per_year < 0
        for r, t in zip(police_holm.rejected, police.values(), strict=False)
    )
    police_up = bool(police) and all(t.direction(ALPHA) == "stijgend" for t in police.values())
    survey_up = len(up) == len(named)
    if survey_up and ranking["holds"] and police_up:
        verdict = SUPPORTED
    elif (down or police_down) and not (
        up or any(t.direction(ALPHA) == "stijgend" for t in police.values())
    ):
        verdict = CONTRADICTED
    else:
        verdict = NOT_SUPPORTED
    # every police series must hold and every competing item must be known: without one of them
    # the claim cannot be judged, only what was not shown can still be said
    police_missing = [
        c for c in (claim.params["police_code"], ALCOHOL_DRUGS_NUISANCE) if c not in police
    ]
    if verdict != CONTRADICTED and (police_missing or ranking["suppressed"]):
        verdict = INSUFFICIENT
    area_verdict = verdict
    if proxy is not None and verdict == SUPPORTED:
        verdict = NOT_SUPPORTED
    survey_detail = Detail()
    for i, c in changes.items():
        survey_detail.directed(
            claim.params["labels"][i],
            significant_direction(c.difference, c.p_value),
            f" ({format_number(c.value1, 1)}% in {base}, {format_number(c.value2, 1)}% in "
            f"{latest}, {stats.p_text(c.p_value)})",
        )
    detail.parts[:0] = survey_detail.parts
    detail.directions.update(survey_detail.directions)
    rank_text = _ranking_text(ranking, latest, claim.params["labels"])
    if ranking["suppressed"]:
        detail.parts.insert(0, rank_text)  # the reason there is no verdict comes first
    else:
        detail.add(rank_text)
    if police_missing:
        detail.parts.insert(
            0,
            "politiereeks ontbreekt ("
            + "; ".join(f"{c}: {police_evidence[c]['reden']}" for c in police_missing)
            + "): zonder elke politiereeks geen oordeel",
        )
    detail.add("ondersteund alleen als elk item, de rangorde en elke politiereeks het laten zien")
    detail.add(area_note(proxy, ctx))
    evidence.update({i: _change_evidence(c) for i, c in changes.items()})
    evidence.update(
        {
            "rangorde": ranking["order"],
            "meest_genoemd": ranking["holds"],
            "rangorde_getoetst": ranking["tested"],
            "rangorde_onderdrukt": ranking["suppressed"],
            "politie_ontbreekt": police_missing,
            "holm_lager": holm.as_dict(),
            "holm_politie_dalend": police_holm.as_dict(),
            "oordeel_voor_gebied": area_verdict,
            "richtingen": detail.directions,
        }
    )
    summary = _summary(claim, verdict, changes, ranking, police, police_missing, (base, latest))
    summary = plain.sentence(summary, area_plain(proxy, ctx))
    return verdict, evidence, detail.text(), "z-toets op enquêtemarges; quasi-Poisson (t)", summary


def _summary(claim, verdict, changes, ranking, police, police_missing, waves) -> str:
    """C6 in words: which items bewoners named more often, the ranking, the police series."""
    labels, (base, latest) = claim.params["labels"], waves
    if verdict == INSUFFICIENT:
        return plain.sentence(
            "Niet te zeggen:",
            "de politiecijfers over drugs- en drankoverlast ontbreken"
            if police_missing
            else "welke overlast het meest genoemd wordt, is niet te toetsen omdat cijfers zijn "
            "afgeschermd",
        )
    groups: dict[str, list[str]] = {"stijgend": [], "dalend": [], "geen": []}
    for i, c in changes.items():
        groups[significant_direction(c.difference, c.p_value)].append(labels[i])
    said = {"stijgend": "vaker", "dalend": "minder vaak", "geen": "niet duidelijk vaker"}
    survey = "; ".join(
        f"{said[d]} dan in {base} {labels_text(items)}" for d, items in groups.items() if items
    )
    police_words = {
        "stijgend": "nam toe",
        "dalend": "nam af",
        "geen": "veranderde niet duidelijk",
    }
    police_names = {
        claim.params["police_code"]: "het aantal misdrijven van drugs- en drankoverlast "
        f"({claim.params['police_code']})",
        ALCOHOL_DRUGS_NUISANCE: "het aantal meldingen van "
        + plain.incident_name(ALCOHOL_DRUGS_NUISANCE),
    }
    police_text = "; ".join(
        f"{police_names.get(c, c)} {police_words[t.direction(ALPHA)]}" for c, t in police.items()
    )
    return plain.sentence(
        f"Bewoners noemden in {latest} {survey}",
        "; ze worden ook het meest genoemd"
        if ranking["holds"]
        else "; dat ze het meest genoemd worden, is niet aangetoond",
        f"; bij de politie sinds {base}: {police_text}" if police_text else "",
    )


def _label(indicator: str, labels: dict) -> str:
    """The claim's label of an item, else the item's name in words (overlast_x_y → overlast door x y)."""
    if indicator in labels:
        return labels[indicator]
    return "overlast door " + indicator.removeprefix("overlast_").replace("_", " ")


def _ranking(rows: pd.DataFrame, named: list[str], year: int, labels: dict) -> dict:
    """Whether each named item lies significantly above every other item in ``year``.

    The competing items are every other overlast item of the source, in any wave: one without a
    published figure in ``year`` is listed as ``suppressed`` (the ranking cannot be judged
    without it), and with no competing item at all the ranking is not ``tested``.
    """
    wave = rows[(rows["year"] == year) & rows["value"].notna()]
    order = list(wave.sort_values("value", ascending=False)["indicator"])
    competing = sorted(set(rows["indicator"]) - set(named))
    others = [i for i in order if i not in named]
    suppressed = [i for i in competing if i not in others]
    failing = []
    for i in named:
        a = estimate(rows, i, year)
        for j in others:
            b = estimate(rows, j, year)
            # the difference a - b must be significantly positive; independent SEs (the items share
            # respondents, which makes this approximation conservative when they correlate
            # positively)
            change = survey_change_test(b, a, 1.0)
            if not (change.direction == "rises"):
                failing.append(f"{_label(i, labels)} niet boven {_label(j, labels)}")
    tested = bool(competing)
    return {
        "order": order,
        "holds": tested and not failing and not suppressed,
        "tested": tested,
        "suppressed": suppressed,
        "failing": failing,
    }


def _ranking_text(ranking: dict, year: int, labels: dict) -> str:
    if not ranking["tested"]:
        return "het meest genoemd: niet getoetst, er zijn geen andere overlastitems om mee te vergelijken"
    if ranking["suppressed"]:
        names = ", ".join(_label(i, labels) for i in ranking["suppressed"])
        return (
            f"het meest genoemd: niet te beoordelen, {names} ontbreekt of is onderdrukt in {year}"
        )
    if ranking["holds"]:
        return "het meest genoemd: ja, elk genoemd item ligt significant boven de andere"
    return "het meest genoemd: niet aangetoond (" + ", ".join(ranking["failing"]) + ")"


def _change_evidence(change: stats.SurveyChange) -> dict:
    return {
        str(change.year1): rounded(change.value1),
        str(change.year2): rounded(change.value2),
        "verschil": rounded(change.difference),
        "z": rounded(change.z),
        "p": rounded(change.p_value, 6),
        "methodebreuk": change.method_break,
    }
