"""C9 (below the peers, PHE funnel) and C10 (follows Twente and NL): small tables, known answers."""

from dataclasses import replace

import pytest

from hengelo_analysis.analysis import funnel
from hengelo_analysis.analysis.claims import claims_for, evaluate_tables
from hengelo_analysis.analysis.claims.peer_funnel import funnel_p
from hengelo_analysis.domain import COMMON_CRIME
from tests.claims_tables import YEARS, G, crime, nuisance, population, series, verdict

CLAIMS = claims_for("GM0164")  # the Hengelo claim file: the tables below are built for it

# --------------------------------------------------------------------------- C9

# ten peers: fewer and their dispersion cannot be estimated, which caps the verdict (review item 4)
PEERS = [f"GM0{800 + i}" for i in range(10)]


def c9_tables(own_counts: dict[int, int], peer_pop: int = 20_000, own_pop: int = 20_000) -> dict:
    """Ten peers at 5 per 1,000 (100 of 20,000); the gemeente's counts as given."""
    pop = population({G: (own_pop, 2), **{p: (peer_pop, 2) for p in PEERS}})
    spec = {(p, "2.5.2"): dict.fromkeys(YEARS, round(peer_pop * 5 / 1000)) for p in PEERS}
    spec[(G, "2.5.2")] = {y: own_counts.get(y, 100) for y in YEARS}
    return {"crime": crime(spec), "population": pop}


def last4(values: list[int]) -> dict[int, int]:
    return dict(zip(range(2021, 2025), values, strict=True))


def test_c9_below_every_year_supported_and_the_sentence_says_every_year():
    result = verdict("C9", c9_tables(last4([70, 72, 68, 71])))
    assert result.verdict == "supported"
    assert "in elk van de 4 jaren 2021-2024 onder de 95%-grens" in result.sentence
    assert result.evidence["per_jaar"]["2024"]["peers"] == pytest.approx(5.0)
    assert result.evidence["per_jaar"]["2024"]["verwacht"] == pytest.approx(100.0)


def test_c9_count_below_the_old_band_but_inside_phes_is_not_below():
    # E = 100: the old band started at 81.36, PHE's at 80.39. 81 is "within" for PHE.
    assert funnel.funnel_limits(100).lower == pytest.approx(80.39, abs=0.01)
    result = verdict("C9", c9_tables(last4([81, 81, 81, 81])))
    assert result.verdict == "not_supported"
    assert {y["positie"] for y in result.evidence["per_jaar"].values()} == {"within"}
    assert "in geen van de 4 jaren" in result.sentence


def test_c9_one_year_not_below_is_not_supported_and_names_the_years_below():
    result = verdict("C9", c9_tables(last4([70, 72, 95, 71])))
    assert result.verdict == "not_supported"
    assert "alleen in 2021, 2022 en 2024" in result.sentence


def test_c9_one_year_above_after_holm_is_contradicted():
    result = verdict("C9", c9_tables(last4([100, 100, 160, 100])))
    assert result.verdict == "contradicted"
    holm = result.evidence["holm_boven"]
    assert [y for y, r in zip(holm["labels"], holm["rejected"], strict=True) if r] == ["2023"]
    assert "in 2023 boven de 95%-grens (Holm" in result.sentence


def test_c9_a_year_just_above_is_not_enough_after_holm():
    # 121 at E = 100: above PHE's 120.56 on its own (p about 0.044), but not after Holm over 4 years
    p_low, p_high = funnel_p(121, 100)
    assert p_high < 0.05 and p_low == 1.0
    result = verdict("C9", c9_tables(last4([100, 100, 121, 100])))
    assert result.evidence["per_jaar"]["2023"]["positie"] == "above"
    assert result.verdict == "not_supported"


def test_funnel_p_agrees_with_the_limits_with_and_without_widening():
    for e in (12.5, 100.0, 800.0):
        lim = funnel.funnel_limits(e)
        assert funnel_p(lim.upper + 0.01, e)[1] < 0.05 < funnel_p(lim.upper - 0.01, e)[1]
        assert funnel_p(lim.lower - 0.01, e)[0] < 0.05 < funnel_p(lim.lower + 0.01, e)[0]
    d = funnel.PeerDispersion(12, 5.0, 1000, 2.0, 0.001, 0.01, 0.1)
    wide = funnel.funnel_limits(100, dispersion=d, adjustment="additive")
    k = wide.inflation
    assert funnel_p(wide.upper + 0.01, 100, k)[1] < 0.05 < funnel_p(wide.upper - 0.01, 100, k)[1]


def test_c9_overdispersed_peers_widen_the_limits_and_the_verdict_follows():
    peers = [f"GM{900 + i:04d}" for i in range(12)]
    spread = [60, 140, 70, 130, 80, 120, 65, 135, 75, 125, 100, 100]  # phi well above 1
    pop = population({G: (20_000, 2), **{p: (20_000, 2) for p in peers}})
    spec = {(p, "2.5.2"): dict.fromkeys(YEARS, n) for p, n in zip(peers, spread, strict=True)}
    spec[(G, "2.5.2")] = dict.fromkeys(YEARS, 75)  # below PHE's plain 80.39, inside widened limits
    result = verdict("C9", {"crime": crime(spec), "population": pop})
    year = result.evidence["per_jaar"]["2024"]
    assert year["spreiding"]["overdispersed"] is True
    assert year["correctie"] == "additive"
    assert year["positie_zonder_correctie"] == "below" and year["positie"] == "within"
    assert result.verdict == "not_supported"
    assert "grenzen verbreed" in result.sentence
    # the claim file's adjustment decides: without it the plain limits give "supported"
    c9 = next(c for c in CLAIMS if c.id == "C9")
    plain = replace(c9, params={**c9.params, "overdispersion_adjustment": "none"})
    [again] = evaluate_tables({"crime": crime(spec), "population": pop}, G, 2024, claims=(plain,))
    assert again.verdict == "supported"


def test_c9_missing_year_and_small_group_are_insufficient():
    tables = c9_tables(last4([70, 72, 68, 71]))
    tables["crime"].loc[
        (tables["crime"]["area_code"] == G) & (tables["crime"]["year"] == 2022), "registered"
    ] = None
    assert verdict("C9", tables).verdict == "insufficient_data"
    few = c9_tables(last4([70, 72, 68, 71]))
    few["population"] = few["population"][few["population"]["area_code"].isin([G, PEERS[0]])]
    assert verdict("C9", few).verdict == "insufficient_data"


def test_c9_window_length_comes_from_the_claim_file():
    tables = c9_tables(last4([95, 72, 68, 71]))  # 2021 is within
    assert verdict("C9", tables).verdict == "not_supported"
    c9 = next(c for c in CLAIMS if c.id == "C9")
    three = replace(c9, params={**c9.params, "years": 3})
    [result] = evaluate_tables(tables, G, 2024, claims=(three,))
    assert result.verdict == "supported"
    assert "in elk van de 3 jaren 2022-2024" in result.sentence


# --------------------------------------------------------------------------- C10

TWENTE_OTHERS = ["GM0153", "GM0141"]


def c10_tables(own: dict[str, float], refs: float = 0.97, e33_refs: float | None = None) -> dict:
    """Gemeente, two other Twente gemeenten and NL: crime 0.0.0, nuisance 0.0.0 and E33.

    ``own`` maps series to the gemeente's yearly factor; references all at ``refs`` (E33 at
    ``e33_refs`` when given). Inhabitants constant, so rates follow the counts.
    """
    sizes = {G: 1.0, "GM0153": 2.0, "GM0141": 0.9, "NL00": 200.0}
    pop = population({a: (round(80_000 * s), 2) for a, s in sizes.items()})
    c, n = {}, {}
    for area, s in sizes.items():
        f = own if area == G else {"crime": refs, "overlast": refs, "verward": e33_refs or refs}
        c[(area, "0.0.0")] = series(4400 * s, f["crime"])
        # C2 judges veelvoorkomende criminaliteit (a code set), C10 the total: the same trend here
        for code in COMMON_CRIME:
            c[(area, code)] = series(4400 * s / (2 * len(COMMON_CRIME)), f["crime"])
        n[(area, "0.0.0")] = series(2000 * s, f["overlast"])
        n[(area, "E33")] = series(400 * s, f["verward"])
    return {"crime": crime(c), "nuisance": nuisance(n), "population": pop}


SAME = {"crime": 0.97, "overlast": 0.97, "verward": 0.97}


def test_c10_every_series_following_both_references_is_supported():
    result = verdict("C10", c10_tables(SAME))
    assert result.verdict == "supported"
    assert set(result.evidence["reeksen"]) == {"misdrijven", "overlast", "verward"}
    assert all(r["volgt"] for s in result.evidence["reeksen"].values() for r in s.values())
    assert "moet zowel de rest van Twente als Nederland volgen; dat doen ze alle" in result.sentence


def test_c10_issue_case_minus_1_against_minus_5_does_not_follow():
    own = {"crime": 0.99, "overlast": 0.99, "verward": 0.99}
    result = verdict("C10", c10_tables(own, refs=0.95))
    assert result.verdict == "not_supported"
    nl = result.evidence["reeksen"]["misdrijven"]["nederland"]
    assert not nl["volgt"]
    assert "het verschil tussen de trends is niet aantoonbaar kleiner dan de marge" in nl["redenen"]


def test_c2_and_c10_never_disagree_on_the_issue_case():
    """The report may not call the trend "not shown" (C2) and "follows the national trend" (C10)."""
    for own_factor, ref in ((0.99, 0.95), (0.97, 0.97), (1.0, 0.97), (1.03, 0.97)):
        tables = c10_tables(dict.fromkeys(SAME, own_factor), refs=ref)
        c2, c10 = (verdict(cid, tables) for cid in ("C2", "C10"))
        if c10.verdict == "supported":
            assert c2.verdict == "supported", (own_factor, ref, c2.sentence)
            own = c10.evidence["reeksen"]["misdrijven"]["nederland"]
            assert own["gemeente_p"] < 0.05 and own["gemeente_pct"] < 0
    c10 = verdict("C10", c10_tables(dict.fromkeys(SAME, 0.99), refs=0.95))
    assert c10.verdict != "supported"


def test_c10_opposite_directions_are_contradicted():
    result = verdict("C10", c10_tables({"crime": 1.03, "overlast": 1.03, "verward": 1.03}))
    assert result.verdict == "contradicted"
    assert result.evidence["holm_verschil"]["any_rejected"]


def test_c10_one_series_not_following_is_enough_to_withhold_support():
    own = {"crime": 0.97, "overlast": 0.97, "verward": 1.06}
    result = verdict("C10", c10_tables(own, e33_refs=1.09))
    assert result.verdict == "not_supported"
    assert "niet aangetoond voor het aantal meldingen van verward gedrag (E33)" in result.sentence
    assert result.evidence["reeksen"]["misdrijven"]["nederland"]["volgt"]


def test_c10_a_noisy_flat_gemeente_does_not_follow():
    tables = c10_tables(SAME)
    noisy = [4400, 4900, 4100, 4700, 4300, 4800, 4200, 4600, 4500, 4000, 4700, 4300, 4400]
    own = dict(zip(YEARS, noisy, strict=True))
    df = tables["crime"]
    mask = (df["area_code"] == G) & (df["crime_code"] == "0.0.0")
    df.loc[mask, "registered"] = df.loc[mask, "year"].map(own).astype("Int64")
    result = verdict("C10", tables)
    assert result.verdict == "not_supported"
    reasons = result.evidence["reeksen"]["misdrijven"]["nederland"]["redenen"]
    assert "de gemeente heeft zelf geen significante trend" in reasons


def test_c10_without_the_nuisance_table_is_insufficient():
    tables = c10_tables(SAME)
    del tables["nuisance"]
    result = verdict("C10", tables)
    assert result.verdict == "insufficient_data"
    assert "nuisance" in result.evidence["reden"]


def test_c10_margin_in_the_claim_file_decides():
    own = {"crime": 0.965, "overlast": 0.965, "verward": 0.965}
    tables = c10_tables(own)
    assert verdict("C10", tables).verdict == "supported"  # 0.5%/yr apart, margin 2%
    c10 = next(c for c in CLAIMS if c.id == "C10")
    tight = replace(c10, params={**c10.params, "margin_pct": 0.25})
    [result] = evaluate_tables(tables, G, 2024, claims=(tight,))
    assert result.verdict == "not_supported"
    assert "marge ±0,2%" in result.sentence or "marge ±0,3%" in result.sentence
