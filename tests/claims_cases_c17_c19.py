"""Small tables with known verdicts for C17 (notable E33 rise), C18 (residents' reports) and C19
(registered drug dealing), issue 12.

Each case is ``(claim id, tables, expected verdict)``, as in tests/claims_cases.py; the tests in
tests/test_claims_c17_c19.py check the verdicts and tests/test_verdict_sentences.py scans every
sentence. Nothing here knows the demo's numbers.
"""

from __future__ import annotations

from tests.claims_cases import NOISY, PROXY_NOTE
from tests.claims_tables import G, crime, nuisance, population, series, survey_rows

SUPPORTED, NOT_SUPPORTED = "supported", "not_supported"
CONTRADICTED, INSUFFICIENT = "contradicted", "insufficient_data"

# two other Twente gemeenten (the rest of Twente) and Nederland, relative sizes
SIZES = {G: 1.0, "GM0153": 2.0, "GM0141": 0.9, "NL00": 200.0}
ITEM = "overlast_verwarde_personen"


def c17(own: float, twente: float = 1.02, nl: float = 1.02, noise=None) -> dict:
    """E33 per year: the gemeente at ``own`` a year, the references at their factors.

    Inhabitants constant, so the rates follow the counts. ``noise`` multiplies the gemeente's years.
    """
    pop = population({a: (round(80_000 * s), 2) for a, s in SIZES.items()})
    factors = {G: own, "GM0153": twente, "GM0141": twente, "NL00": nl}
    spec = {(area, "E33"): series(400 * s, factors[area]) for area, s in SIZES.items()}
    if noise is not None:
        spec[(G, "E33")] = {
            y: round(v * n) for (y, v), n in zip(spec[(G, "E33")].items(), noise, strict=True)
        }
    return {"nuisance": nuisance(spec), "population": pop}


def c17_without(area: str) -> dict:
    tables = c17(1.10)
    df = tables["nuisance"]
    tables["nuisance"] = df[df["area_code"] != area]
    return tables


def c18(values: tuple[float | None, float], margin: float = 1.0, years=(2021, 2023), **kw):
    """The item in two waves: (value1, value2) with the same 95% margin."""
    first = 0.0 if values[0] is None else values[0]
    rows = [(ITEM, years[0], first, margin), (ITEM, years[1], values[1], margin)]
    frame = survey_rows(rows, **kw)
    if values[0] is None:  # a suppressed figure: no value, no interval
        frame.loc[frame["year"] == years[0], ["value", "lower", "upper"]] = None
    return {"survey": frame}


def c19(factor: float, noise=None, base: float = 60) -> dict:
    values = series(base, factor)
    if noise is not None:
        values = {y: round(v * n) for (y, v), n in zip(values.items(), noise, strict=True)}
    return {
        "crime": crime({(G, "3.1.1"): values}),
        "population": population({G: (80_000, 2)}),
    }


NOISE = [n / 205 for n in NOISY]

CASES: dict[str, tuple[str, dict, str]] = {
    # C17 "opvallende toename": rises, and faster than the rest of Twente and NL
    "c17_faster_than_both": ("C17", c17(1.10), SUPPORTED),
    "c17_falls": ("C17", c17(0.94), CONTRADICTED),
    "c17_rises_as_fast_as_the_references": ("C17", c17(1.05, 1.05, 1.05), NOT_SUPPORTED),
    "c17_rises_slower_than_nl": ("C17", c17(1.03, 1.03, 1.09), CONTRADICTED),
    "c17_noisy_flat_against_rising_references": ("C17", c17(1.0, noise=NOISE), CONTRADICTED),
    "c17_faster_than_twente_not_nl": ("C17", c17(1.10, 1.02, 1.10), NOT_SUPPORTED),
    "c17_noisy_flat": ("C17", c17(1.0, 1.0, 1.0, noise=NOISE), NOT_SUPPORTED),
    "c17_no_nl": ("C17", c17_without("NL00"), INSUFFICIENT),
    "c17_no_nuisance_table": ("C17", {"population": c17(1.1)["population"]}, INSUFFICIENT),
    # C18 residents' own reports of nuisance by confused persons
    "c18_rises": ("C18", c18((5.0, 8.0)), SUPPORTED),
    "c18_own_survey_across_2021": (
        "C18",
        c18((5.0, 8.0), years=(2019, 2023), source="eigen_enquete"),
        SUPPORTED,
    ),
    "c18_falls": ("C18", c18((8.0, 5.0)), CONTRADICTED),
    "c18_not_significant": ("C18", c18((5.0, 5.8), margin=1.5), NOT_SUPPORTED),
    "c18_vm_across_method_break": ("C18", c18((5.0, 8.0), years=(2019, 2021)), INSUFFICIENT),
    "c18_proxy_area": ("C18", c18((5.0, 8.0), method_note=PROXY_NOTE), NOT_SUPPORTED),
    "c18_suppressed_base_wave": ("C18", c18((None, 8.0)), INSUFFICIENT),
    # C19 registered drug dealing (3.1.1) as a trend
    "c19_rises": ("C19", c19(1.08), SUPPORTED),
    "c19_falls": ("C19", c19(0.92), CONTRADICTED),
    "c19_noisy_flat": ("C19", c19(1.0, NOISE, base=205), NOT_SUPPORTED),
    "c19_no_crime_table": ("C19", {"population": c19(1.0)["population"]}, INSUFFICIENT),
}
