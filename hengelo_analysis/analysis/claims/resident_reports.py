"""C18: residents themselves report (more) nuisance by confused persons: survey item
``overlast_verwarde_personen``.

The police figures (E33) are registrations, not what residents say; this claim reads the survey.
Rule (docs/methodology.md, "C17-C19"), with the survey rules of :mod:`.survey`:

- the last two waves of the item in one source (the source the pages show);
- waves on either side of the Veiligheidsmonitor 2021 method break are no comparison:
  *insufficient_data*, as is a suppressed or missing figure;
- *supported*: the share rises significantly (z on the published 95% margins, two-sided 5%);
  *contradicted*: it falls significantly; *not_supported*: no significant change;
- a proxy area (Twente for a gemeente not in the Veiligheidsmonitor table) cannot support a claim
  about the gemeente: at most *not_supported*, and the sentence names the area.
"""

from __future__ import annotations

from hengelo_analysis.analysis import stats
from hengelo_analysis.analysis.claims import plain
from hengelo_analysis.analysis.claims.model import (
    NOT_SUPPORTED,
    SUPPORTED,
    Claim,
    Context,
    rounded,
)
from hengelo_analysis.analysis.claims.series import Detail, direction_verdict, significant_direction
from hengelo_analysis.analysis.claims.survey import (
    area_note,
    area_plain,
    crosses_break,
    proxy_area,
    survey_change_between,
    survey_rows,
)
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.domain import VM_METHOD_BREAK_YEAR
from hengelo_analysis.formatting import format_number


def _signed(value: float) -> str:
    text = format_number(value, 1)
    return text if text.startswith("-") or text == "0,0" else "+" + text


def eval_resident_reports(claim: Claim, ctx: Context):
    """C18: the survey item rises significantly between its last two waves (rule above)."""
    item, label = claim.params["indicator"], claim.params["label"]
    rows = survey_rows(ctx, [item])
    years = sorted(int(y) for y in rows["year"].unique())
    if len(years) < 2:
        raise InsufficientData(f"minder dan twee enquêtegolven met {item}")
    y1, y2 = years[-2], years[-1]
    if crosses_break(rows, y1, y2):
        raise InsufficientData(
            f"de golven {y1} en {y2} liggen aan weerszijden van de methodebreuk van de "
            f"Veiligheidsmonitor ({VM_METHOD_BREAK_YEAR}): geen vergelijking"
        )
    change = survey_change_between(rows, item, y1, y2)
    direction = significant_direction(change.difference, change.p_value)
    area_verdict = direction_verdict(direction, "stijgend")
    proxy = proxy_area(rows)
    verdict = NOT_SUPPORTED if proxy is not None and area_verdict == SUPPORTED else area_verdict
    margin = 1.96 * change.se
    detail = Detail()
    detail.directed(
        f"het aandeel dat {label} in de buurt ervaart",
        direction,
        f" ({format_number(change.value1, 1)}% in {y1}, {format_number(change.value2, 1)}% in "
        f"{y2}; verschil {_signed(change.difference)} procentpunt, 95%-interval "
        f"{_signed(change.difference - margin)} tot {_signed(change.difference + margin)}, "
        f"{stats.p_text(change.p_value)})",
    )
    source = plain.source_name(str(rows["source"].iloc[0]))
    detail.add(f"bron: {source}; wat bewoners zeggen, niet de politieregistratie")
    detail.add(area_note(proxy, ctx))
    evidence = {
        "regel": "ondersteund als het aandeel tussen de laatste twee golven significant stijgt "
        "(aan dezelfde kant van de methodebreuk van 2021); een ander gebied kan niet ondersteunen",
        "indicator": item,
        "golven": [y1, y2],
        "waarde": [rounded(change.value1), rounded(change.value2)],
        "verschil_procentpunt": rounded(change.difference),
        "ci95": [rounded(change.difference - margin), rounded(change.difference + margin)],
        "z": rounded(change.z),
        "p": rounded(change.p_value, 6),
        "bron": str(rows["source"].iloc[0]),
        "gebied": proxy or ctx.gemeente,
        "proxy": proxy is not None,
        "oordeel_voor_gebied": area_verdict,
        "richtingen": detail.directions,
    }
    said = {
        "stijgend": "meer dan",
        "dalend": "minder dan",
        "geen": "geen duidelijk verschil met",
    }[direction]
    summary = plain.sentence(
        f"Volgens {source} ervoer in {y2} {format_number(change.value2, 1)}% van de bewoners "
        f"{label} in de buurt: {said} de {format_number(change.value1, 1)}% in {y1}",
        area_plain(proxy, ctx),
    )
    return verdict, evidence, detail.text(), change.test, summary
