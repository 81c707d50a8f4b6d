"""Page 05 bedrijven: the shoplifting funnel (C9's peer group and limits) and its page figures."""

import json

import numpy as np
import pandas as pd
import pytest

from hengelo_analysis.analysis import claims as findings
from hengelo_analysis.analysis import funnel as funnel_mod
from hengelo_analysis.analysis.claims import peer_funnel as peer_funnel_claim
from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.formatting import format_number
from hengelo_analysis.pages import common
from hengelo_analysis.pages.chapters import bedrijven
from tests import chapter_report as cr

# The parameters C9 is judged with (the findings document carries the same ones).
C9 = dict(findings.claim_file_for("GM0164").claim("C9").params)


def _tables(own=100, peers=((60_000, 300), (80_000, 400), (100_000, 500)), klasse=2):
    """GM0164 with 80.000 inhabitants and ``peers`` (inhabitants, shoplifting) of class 2,
    plus one gemeente of another class and one far too large (both outside the group)."""
    gemeenten = [("GM0164", 80_000, own, 2)]
    gemeenten += [(f"GM09{i:02d}", n, c, klasse) for i, (n, c) in enumerate(peers)]
    gemeenten += [("GM0990", 80_000, 9_999, 4), ("GM0991", 400_000, 9_999, 2)]
    population = pd.DataFrame(
        {
            "area_code": [g[0] for g in gemeenten],
            "area_level": "gemeente",
            "year": 2024,
            "inhabitants": pd.array([g[1] for g in gemeenten], dtype="Int64"),
            "stedelijkheid": pd.array([g[3] for g in gemeenten], dtype="Int64"),
        }
    )
    crime = pd.DataFrame(
        {
            "area_code": [g[0] for g in gemeenten],
            "area_name": [g[0].replace("GM", "Gemeente ") for g in gemeenten],
            "crime_code": "2.5.2",
            "year": 2024,
            "registered": pd.array([g[2] for g in gemeenten], dtype="Int64"),
        }
    )
    return {"crime": crime, "population": population}


def test_funnel_centre_is_the_pooled_peer_rate_without_the_gemeente():
    ctx = findings.Context(_tables(), "GM0164", 2024, 1000)
    funnel = bedrijven.peer_funnel(ctx, C9)
    assert funnel.centre == pytest.approx(1200 / 240_000 * 1000)  # 5.0; GM0990/GM0991 excluded
    assert sorted(funnel.points["area_code"]) == ["GM0164", "GM0900", "GM0901", "GM0902"]
    own = funnel.points[funnel.points["is_gemeente"]].iloc[0]
    assert own["rate"] == pytest.approx(1.25)
    assert own["position"] == "onder de 99,8%-grens"
    # the limits drawn are PHE's (analysis.funnel) around the centre
    limits = funnel_mod.rate_limits(funnel.centre, funnel.limits_x[0], 1000)
    assert funnel.lower_95[0] == pytest.approx(limits[0.95][0])
    assert funnel.upper_998[0] == pytest.approx(limits[0.998][1])
    assert funnel.limits_x.min() < 60_000 and funnel.limits_x.max() > 100_000


def test_funnel_position_in_words():
    limits = {0.95: (4.0, 6.0), 0.998: (3.0, 7.0)}
    assert bedrijven.position(5.0, limits) == "binnen de grenzen"
    assert bedrijven.position(6.5, limits) == "boven de 95%-grens"
    assert bedrijven.position(7.5, limits) == "boven de 99,8%-grens"
    assert bedrijven.position(3.5, limits) == "onder de 95%-grens"
    assert bedrijven.position(2.5, limits) == "onder de 99,8%-grens"


def test_funnel_needs_as_many_peers_as_c9():
    ctx = findings.Context(_tables(peers=((70_000, 300), (90_000, 400))), "GM0164", 2024, 1000)
    with pytest.raises(InsufficientData, match="te weinig"):
        bedrijven.peer_funnel(ctx, C9)


def test_funnel_table_is_ordered_by_inhabitants_not_ranked():
    ctx = findings.Context(_tables(), "GM0164", 2024, 1000)
    funnel = bedrijven.peer_funnel(ctx, C9)
    table = bedrijven.funnel_table(funnel, "Hengelo", "per 1.000 inwoners")
    assert list(table["Inwoners"]) == [60_000, 80_000, 80_000, 100_000]
    assert list(table["Inwoners"]) == sorted(table["Inwoners"])
    assert "Hengelo (deze gemeente)" in list(table["Gemeente"])


def test_c9_years_table_reads_the_findings_evidence():
    finding = findings.Finding(
        "C9",
        findings.SUPPORTED,
        {
            "per_jaar": {
                "2024": {
                    "gemeente": 2.8,
                    "peers": 5.0,
                    "grens_95": [4.5, 5.5],
                    "grens_998": [4.2, 5.9],
                    "aantal_peers": 10,
                }
            }
        },
        "t",
        "s",
        "u",
    )
    table = bedrijven.c9_years_table(finding)
    assert table.iloc[0].tolist() == [2024, 2.8, 5.0, 4.5, 5.5, 10]


# --------------------------------------------------------------------------- content (slow)


@pytest.mark.slow
def test_funnel_agrees_with_claim_c9_on_the_demo():
    root, edition = cr.demo_edition()
    tables = findings.load_tables(root / "data", "demo")
    ctx = findings.Context(tables, "GM0164", 2024, 1000)
    document = json.loads((edition / "findings.json").read_text())
    funnel = bedrijven.peer_funnel(ctx, common.claim_params(document, "C9"))
    c9 = common.findings_by_id(document, ("C9",))["C9"]
    evidence = c9.evidence["per_jaar"]["2024"]
    assert round(funnel.centre, 3) == pytest.approx(evidence["peers"])
    assert len(funnel.points) - 1 == evidence["aantal_peers"]
    own = funnel.points[funnel.points["is_gemeente"]].iloc[0]
    assert round(own["rate"], 3) == pytest.approx(evidence["gemeente"])


@pytest.mark.slow
def test_page_figures_equal_the_raw_data():
    root, out = cr.demo_edition()
    raw = cr.raw_crime()
    population = pd.read_parquet(root / "data" / "processed" / "demo" / "population.parquet")
    inhabitants = population.query("area_code == 'GM0164' and year == 2024")["inhabitants"].iloc[0]
    page = (out / "05_bedrijven.html").read_text()
    funnel = cr.table_by_caption(page, "Winkeldiefstal in 2024 per gemeente")["rows"]
    own = next(r for r in funnel if r[0] == "Hengelo (deze gemeente)")
    shoplifting = raw[("GM0164", "2.5.2", 2024)]
    assert own[1:4] == [
        format_number(inhabitants),
        format_number(shoplifting),
        format_number(shoplifting / inhabitants * 1000, 2),
    ]
    business = cr.table_by_caption(page, "Diefstal/inbraak bij bedrijven (2.5.1) per jaar")["rows"]
    by_year = {r[0]: r for r in business[1:]}
    # the demo's 47018NED marks 2024 provisional: a Status column follows the year
    assert business[0][:3] == ["Jaar", "Status", "Geregistreerd (aantal)"]
    assert by_year["2024"][1:3] == ["voorlopig", format_number(raw[("GM0164", "2.5.1", 2024)])]
    assert by_year["2012"][1:3] == ["definitief", format_number(raw[("GM0164", "2.5.1", 2012)])]
    claims = json.loads((out / "findings.json").read_text())["claims"]
    opening = cr.opening_verdicts(page)
    for claim_id in ("C8", "C9", "C13"):
        assert opening[claim_id] == (claims[claim_id]["verdict"], claims[claim_id]["statement"])
    assert 'alt="Funnelplot van winkeldiefstal' in page
    assert "Synthetische demodata" in page


@pytest.mark.slow
def test_enschede_without_enough_peers_says_so():
    text = cr.notebook_text(cr.gm0153_notebooks()["05_bedrijven"])
    assert "Onvoldoende gegevens voor de vergelijking" in text
    assert "Diefstal/inbraak bij bedrijven Enschede" in text


def _years(tables, years=(2021, 2022, 2023, 2024)):
    """The same figures in every year of C9's window."""
    return {
        k: pd.concat([v.assign(year=y) for y in years], ignore_index=True)
        for k, v in tables.items()
    }


def test_funnel_draws_the_widened_limits_the_c9_verdict_reports():
    # twelve peers whose rates differ far more than chance: C9 widens its limits (additive)
    counts = (200, 700, 300, 650, 250, 600, 350, 550, 220, 680, 280, 620)
    peers = tuple((70_000 + 2_000 * i, c) for i, c in enumerate(counts))
    tables = _years(_tables(own=300, peers=peers))
    ctx = findings.Context(tables, "GM0164", 2024, 1000)
    claim = findings.claim_file_for("GM0164").claim("C9")
    _, evidence, _, _, _ = peer_funnel_claim.eval_below_peers(claim, ctx)  # with its summary
    year = evidence["per_jaar"]["2024"]
    assert year["correctie"] == "additive"  # the case this test is about
    funnel = bedrijven.peer_funnel(ctx, dict(claim.params))
    fig = bedrijven.funnel_figure(funnel, "Hengelo", "per 1.000 inwoners", "s")
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    drawn = lines["95%-grens"]
    upper = np.interp(80_000, drawn.get_xdata(), drawn.get_ydata())
    assert upper == pytest.approx(year["grens_95"][1], rel=1e-3)
    assert upper != pytest.approx(year["grens_95_zonder_correctie"][1], rel=1e-2)
    lower = np.interp(80_000, funnel.limits_x, funnel.lower_95)
    assert lower == pytest.approx(year["grens_95"][0], rel=1e-3)
    legend = fig.axes[0].get_legend()
    assert "verbreed" in legend.get_title().get_text()  # the figure says the limits are widened
