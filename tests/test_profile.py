"""In één oogopslag (analysis.profile) and the change since the year before (analysis.profile_changes)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from hengelo_analysis.analysis import profile, profile_changes
from hengelo_analysis.analysis.claims import load_tables
from hengelo_analysis.domain import NL_CODE

G = "GM0164"
UNIT = 10_000
REFERENCES = ["nederland", "twente", "peers"]


@pytest.fixture(scope="module")
def tables(demo_cleaned) -> dict[str, pd.DataFrame]:
    """The demo's processed tables (the session's one clean; every test here only reads them)."""
    return load_tables(demo_cleaned[0].data_dir, "demo")


@pytest.fixture(scope="module")
def rows(tables) -> dict[str, dict]:
    return {r["id"]: r for r in profile.profile_rows(tables, G, 2024, UNIT)}


@pytest.fixture(scope="module")
def changes_2020(tables) -> dict:
    """The changes page of the demo's 2020 edition (against 2019); read only."""
    return profile_changes.changes(tables, G, 2020, UNIT)


@pytest.fixture(scope="module")
def changes_2024(tables) -> dict:
    return profile_changes.changes(tables, G, 2024, UNIT)


def by_ref(row: dict) -> dict[str, dict]:
    return {c["reference"]: c for c in row["comparisons"]}


def own_rate(tables, codes, year, area=G) -> float:
    """The rate straight from the processed tables, without the package's series helpers."""
    crime = tables["crime"]
    count = crime[
        (crime["area_code"] == area) & crime["crime_code"].isin(codes) & (crime["year"] == year)
    ]["registered"].sum()
    pop = tables["population"]
    people = pop[(pop["area_code"] == area) & (pop["year"] == year)]["inhabitants"].iloc[0]
    return float(count) / float(people) * UNIT


def with_count(tables, code: str, year: int, factor: float) -> dict[str, pd.DataFrame]:
    """The tables with the gemeente's count of ``code`` in ``year`` multiplied by ``factor``."""
    crime = tables["crime"].copy()
    hit = (crime["area_code"] == G) & (crime["crime_code"] == code) & (crime["year"] == year)
    crime.loc[hit, "registered"] = (crime.loc[hit, "registered"] * factor).round().astype("Int64")
    return {**tables, "crime": crime}


def test_every_key_figure_has_one_row_with_three_comparisons_or_a_reason(rows):
    assert list(rows) == [i.id for i in profile.KEY_INDICATORS]
    assert rows["woninginbraak"]["label"] == "Woninginbraak (1.1.1)"
    assert rows["verward_gedrag"]["label"] == "Verward gedrag (E33)"
    for row in rows.values():
        assert [c["reference"] for c in row["comparisons"]] == REFERENCES, row["id"]
        assert (row["value"] is None) == bool(row["reason"]), row["id"]
        for c in row["comparisons"]:
            assert c["text"], (row["id"], c)  # never a blank cell
            if c["reason"]:
                # no figure stands in for a missing comparison, least of all 0
                assert c["value"] is None and c["outcome"] is None, (row["id"], c)
            else:
                assert c["value"] is not None and c["outcome"] in (
                    "hoger",
                    "lager",
                    "geen aantoonbaar verschil",
                )


def test_the_value_is_the_rate_of_the_processed_tables(rows, tables):
    for key, codes in (("misdrijven_totaal", ["0.0.0"]), ("woninginbraak", ["1.1.1"])):
        assert rows[key]["value"] == pytest.approx(own_rate(tables, codes, 2024), rel=1e-6)
        assert rows[key]["lower"] < rows[key]["value"] < rows[key]["upper"]
    geweld = [f"1.4.{i}" for i in range(1, 8)]
    assert rows["geweld"]["value"] == pytest.approx(own_rate(tables, geweld, 2024), rel=1e-6)
    nl = by_ref(rows["misdrijven_totaal"])["nederland"]
    assert nl["value"] == pytest.approx(own_rate(tables, ["0.0.0"], 2024, NL_CODE), rel=1e-6)


def test_outcome_words_follow_the_sign_and_the_holm_corrected_test(rows):
    for row in rows.values():
        for c in row["comparisons"]:
            if c["reason"]:
                continue
            if c["p_holm"] < 0.05:
                expected = "hoger" if row["value"] > c["value"] else "lager"
                assert c["outcome"] == expected and c["text"].startswith(expected + " dan")
            else:
                assert c["outcome"] == "geen aantoonbaar verschil"
            assert c["p_holm"] >= c["p"]  # Holm never makes a test easier


def test_a_gemeente_significantly_above_nederland_says_hoger(tables):
    doubled = with_count(tables, "1.1.1", 2024, 2.0)
    row = next(
        r for r in profile.profile_rows(doubled, G, 2024, UNIT) if r["id"] == "woninginbraak"
    )
    nl = by_ref(row)["nederland"]
    assert nl["outcome"] == "hoger" and nl["text"] == "hoger dan Nederland"
    assert nl["p_holm"] < 0.05


def test_a_difference_within_chance_says_no_demonstrable_difference(tables, rows):
    # Move the gemeente's woninginbraak to 2% above Nederland's rate: real, but far too small to show.
    nl_rate = by_ref(rows["woninginbraak"])["nederland"]["value"]
    factor = nl_rate * 1.02 / rows["woninginbraak"]["value"]
    near = with_count(tables, "1.1.1", 2024, factor)
    row = next(r for r in profile.profile_rows(near, G, 2024, UNIT) if r["id"] == "woninginbraak")
    nl = by_ref(row)["nederland"]
    assert row["value"] > nl["value"]  # higher as a number ...
    assert nl["outcome"] == "geen aantoonbaar verschil"  # ... but not demonstrably
    assert nl["text"] == "geen aantoonbaar verschil met Nederland"


def test_a_missing_comparison_gives_a_reason_never_zero(tables, rows):
    nuisance = tables["nuisance"]
    without_nl = {**tables, "nuisance": nuisance[nuisance["area_code"] != NL_CODE]}
    row = next(
        r for r in profile.profile_rows(without_nl, G, 2024, UNIT) if r["id"] == "verward_gedrag"
    )
    nl = by_ref(row)["nederland"]
    assert nl["reason"] == "Nederland staat niet in de tabel"
    assert nl["value"] is None and nl["outcome"] is None
    assert by_ref(row)["twente"]["outcome"] is not None  # the other references still compare
    for key in ("halt", "jeugdreclassering"):
        assert {c["reason"] for c in rows[key]["comparisons"]} == {profile.NO_NATIONAL}
        assert rows[key]["trend"]["direction"] in ("stijgend", "dalend", "geen")


def test_survey_figures_say_which_area_they_describe(rows):
    row = rows["onveilig_buurt"]
    assert row["area"] == "Twente (VR05)"  # the demo's Veiligheidsmonitor figures are Twente's
    assert by_ref(row)["twente"]["reason"] == "het cijfer geldt voor heel Twente"
    assert by_ref(row)["nederland"]["outcome"] is not None
    assert row["note"].startswith("eigen enquête van Hengelo 2023")


def _without_status(tables):
    return {
        name: (df.assign(provisional=False) if name in ("crime", "crime_monthly") else df)
        for name, df in tables.items()
    }


def _woninginbraak_voorlopig(tables):
    marked = profile.profile_rows(tables, G, 2024, UNIT)
    return next(r for r in marked if r["id"] == "woninginbraak")["voorlopig"]


def test_a_provisional_year_is_marked_voorlopig(tables):
    final = _without_status(tables)
    assert _woninginbraak_voorlopig(final) is False
    monthly = final["crime_monthly"].copy()
    monthly.loc[monthly["year"] == 2024, "provisional"] = True
    assert _woninginbraak_voorlopig({**final, "crime_monthly": monthly}) is True


def test_a_year_the_yearly_crime_table_marks_provisional_is_voorlopig_in_the_profile(tables):
    # Pages 02-08 read the status of the yearly table; the profile must say the same
    final = _without_status(tables)
    crime = final["crime"].copy()
    crime.loc[crime["year"] == 2024, "provisional"] = True
    assert _woninginbraak_voorlopig({**final, "crime": crime}) is True


def test_changes_of_a_2020_edition_compare_with_2019_in_the_direction_of_the_data(
    tables, changes_2020
):
    result = changes_2020
    assert (result["peiljaar"], result["previous"]) == (2020, 2019)
    rows = {r["id"]: r for r in result["rows"]}
    for key, code in (("misdrijven_totaal", "0.0.0"), ("woninginbraak", "1.1.1")):
        before, now = own_rate(tables, [code], 2019), own_rate(tables, [code], 2020)
        row = rows[key]
        assert (row["year_before"], row["year_now"]) == (2019, 2020)
        assert row["before"] == round(before, 1) and row["now"] == round(now, 1)
        assert (row["difference"] > 0) == (now > before)  # the sign of the data, not inverted
    marked = [r for r in result["rows"] if r["significant"]]
    assert marked, "the demo's 2020 has a significant change"
    for r in result["rows"]:
        assert r["significant"] == (r["p_holm"] is not None and r["p_holm"] < 0.05)
        if r["significant"]:
            assert r["text"] == f"{r['outcome']} dan in 2019"
            assert (r["outcome"] == "hoger") == (r["difference"] > 0)


def test_the_shown_difference_adds_up_from_the_rounded_figures(changes_2024):
    for r in changes_2024["rows"]:
        if r["difference"] is not None:
            assert r["difference"] == round(r["now"] - r["before"], r["decimals"]), r["id"]
    # 10.04 -> 10.16 shows as 10,0 -> 10,2: the difference shown is 0,2, not the unrounded 0,1
    assert profile_changes.rounded_difference(10.04, 10.16, 1) == 0.2


def test_a_survey_without_a_new_wave_is_not_called_a_change(changes_2024):
    rows = {r["id"]: r for r in changes_2024["rows"]}
    row = rows["onveilig_buurt"]
    assert row["difference"] is None and row["outcome"] is None
    assert row["text"] == "geen nieuwe meting sinds 2023"


def _context(peiljaar: int, profile_rows: list[dict] | None = None):
    from hengelo_analysis.pipeline.context import PageContext

    return PageContext(G, "Hengelo", peiljaar, "demo", True, profile=profile_rows or [])


def _cells(html: str, caption_start: str) -> list[list[str]]:
    """The body rows of the table whose caption starts with ``caption_start``, as cell texts."""
    import re

    table = next(t for t in html.split("<table")[1:] if re.search(f"<caption>{caption_start}", t))
    body = table.split("<tbody>")[1].split("</tbody>")[0]
    strip = lambda cell: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()  # noqa: E731
    return [
        [strip(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_changes_page_of_2020_shows_2019_and_marks_the_significant_change(changes_2020):
    from hengelo_analysis.formatting import format_number
    from hengelo_analysis.pipeline.index import render_changes

    result = changes_2020
    html = render_changes(
        _context(2020),
        {"changes": result, "previous_year": None, "year_verdicts": [], "previous_build": None},
    )
    assert "Kerncijfers 2020 tegenover 2019" in html
    assert "Er is geen rapport over peiljaar 2019" in html
    shown = {cells[0]: cells for cells in _cells(html, "Kerncijfers van Hengelo: 2019 en 2020")}
    for r in result["rows"]:
        cells = next(v for k, v in shown.items() if k.startswith(r["label"]))
        assert cells[1].startswith(format_number(r["before"], r["decimals"]))
        if r["difference"] is not None:
            assert cells[3] == ("+" if r["difference"] > 0 else "") + format_number(
                r["difference"], r["decimals"]
            )
        if r["significant"]:
            assert cells[4] == f"{'▲' if r['outcome'] == 'hoger' else '▼'} aantoonbaar {r['text']}"
        else:
            assert "aantoonbaar hoger" not in cells[4] and "aantoonbaar lager" not in cells[4]


def test_the_index_shows_one_profile_row_per_key_figure(rows):
    from hengelo_analysis.pipeline.index import render_index

    html = render_index(_context(2024, list(rows.values())))
    assert "In één oogopslag" in html
    body = [c for c in _cells(html, "Kerncijfers van Hengelo vergeleken") if len(c) > 1]
    assert [c[0].split(" per ")[0].split(" % ")[0] for c in body][:2] == [
        "Misdrijven, totaal",
        "Woninginbraak (1.1.1)",
    ]
    assert len(body) == len(rows)
    halt = next(c for c in body if c[0].startswith("Verwijzingen naar Halt"))
    assert halt[2] == profile.NO_NATIONAL  # one reason across the three areas, never a 0
    onveilig = next(c for c in body if c[0].startswith("Voelt zich wel eens onveilig"))
    assert "cijfer voor Twente (VR05)" in onveilig[0]


def test_reasons_are_words_without_codes_or_table_names(tables):
    crime = tables["crime"]
    # Drop one peer's 2024 rows and the gemeente's cybercrime year: both must say why in words.
    peer = profile.peer_codes(profile.Context(tables, G, 2024, UNIT), 0.35)[0][0]
    gone = crime[~((crime["area_code"] == peer) & (crime["year"] == 2024))]
    gone = gone[
        ~((gone["area_code"] == G) & (gone["crime_code"] == "3.7.4") & (gone["year"] == 2024))
    ]
    rows = {r["id"]: r for r in profile.profile_rows({**tables, "crime": gone}, G, 2024, UNIT)}
    assert by_ref(rows["woninginbraak"])["peers"]["reason"] == (
        "geen volledig cijfer voor 2024 gepubliceerd"
    )
    assert rows["cybercrime"]["reason"] == "geen volledig cijfer voor 2024 gepubliceerd"
    for row in rows.values():
        texts = [row["reason"] or "", row["trend"]["reason"] or ""]
        texts += [c["reason"] or "" for c in row["comparisons"]]
        for text in texts:
            assert not re.search(r"GM\d{4}|NL0\d|crime|nuisance|_", text), (row["id"], text)


def test_no_profile_label_shows_the_total_key_0_0_0():
    # The crime total and the nuisance total share the table key 0.0.0; shown to a reader it names
    # two different figures with one "code" and adds nothing to the word "totaal".
    from hengelo_analysis.analysis import profile_rows

    labels = [indicator.label for indicator in profile_rows.KEY_INDICATORS]
    assert "Misdrijven, totaal" in labels and "Overlastmeldingen, totaal" in labels
    assert not [label for label in labels if "0.0.0" in label]


def test_the_nuisance_rows_say_they_count_the_open_police_table(rows, tables):
    # C1 may count E33 from a supplied incident file (another number): the profile row says
    # which count it shows, with that count, so the front page does not contradict itself.
    row = rows["verward_gedrag"]
    nuisance = tables["nuisance"]
    yearly = nuisance[
        (nuisance["area_code"] == "GM0164")
        & (nuisance["nuisance_code"] == "E33")
        & (nuisance["year"] == 2024)
        & nuisance["month"].isna()
    ]
    count = int(yearly["registered"].sum())
    assert count == row["count"]
    assert (
        f"{count:,}".replace(",", ".") + " meldingen in de open politietabel overlast"
        in row["note"]
    )
    assert "politietabel" not in rows["woninginbraak"]["note"]
