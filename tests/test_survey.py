"""Own survey: weighted proportions and margins by hand, raking, wave-to-wave significance, template."""

import math
import shutil

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from hengelo_analysis.analysis import stats
from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import PROJECT_ROOT
from hengelo_analysis.sources import survey, survey_template, survey_weighting

TEMPLATES = PROJECT_ROOT / "docs" / "templates"
WIJKEN = {f"WK0164{i:02d}" for i in range(10)}


def test_weighted_proportion_and_wilson_interval_by_hand():
    # y = 1 for the first respondent only, who has weight 2: p = 2/6, n_eff = 6²/(4+1+1+1+1) = 4.5
    est = survey_weighting.weighted_proportion([1, 0, 0, 0, 0], [2, 1, 1, 1, 1])
    assert est.value == pytest.approx(100 / 3)
    assert est.n == 5
    assert est.n_eff == pytest.approx(4.5)
    z = 1.959963984540054
    p, n = 1 / 3, 4.5
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert est.lower == pytest.approx(100 * (centre - half))
    assert est.upper == pytest.approx(100 * (centre + half))
    assert (round(est.lower, 2), round(est.upper, 2)) == (8.11, 73.91)  # worked out on paper


def test_equal_weights_give_the_plain_wilson_interval():
    y = [1] * 30 + [0] * 70
    est = survey_weighting.weighted_proportion(y, [2.5] * 100)
    lo, hi = proportion_confint(30, 100, method="wilson")
    assert est.n_eff == pytest.approx(100)
    assert (est.lower, est.upper) == pytest.approx((100 * lo, 100 * hi))


def test_unequal_weights_widen_the_margin():
    y = [1] * 30 + [0] * 70
    weights = [1.0, 3.0] * 50
    plain = survey_weighting.weighted_proportion(y)
    weighted = survey_weighting.weighted_proportion(y, weights)
    assert survey_weighting.kish_effective_n(weights) == pytest.approx(100 * 16 / 20)
    assert weighted.upper - weighted.lower > plain.upper - plain.lower


def test_weighted_mean_by_hand():
    est = survey_weighting.weighted_mean(
        [6, 8], [1, 3]
    )  # mean 7.5; var_w = (1*2.25+3*0.25)/4 = 0.75
    n_eff = 16 / 10
    var = 0.75 * n_eff / (n_eff - 1)
    assert est.value == pytest.approx(7.5)
    assert est.upper - est.value == pytest.approx(1.959963984540054 * math.sqrt(var / n_eff))


def test_raking_reproduces_the_population_margins():
    frame = pd.DataFrame(
        {
            "age": ["age_15_25"] * 10
            + ["age_25_45"] * 30
            + ["age_45_65"] * 30
            + ["age_65_plus"] * 30,
            "sex": (["sex_man"] * 3 + ["sex_vrouw"] * 7) * 10,
        }
    )
    margins = {
        "age": {"age_15_25": 150, "age_25_45": 300, "age_45_65": 300, "age_65_plus": 250},
        "sex": {"sex_man": 490, "sex_vrouw": 510},
    }
    w = survey_weighting.rake(frame, margins, total=1000)
    assert w.sum() == pytest.approx(1000)
    by_age = w.groupby(frame["age"]).sum()
    by_sex = w.groupby(frame["sex"]).sum()
    for group, target in margins["age"].items():
        assert by_age[group] == pytest.approx(target, rel=1e-6)
    for group, target in margins["sex"].items():
        assert by_sex[group] == pytest.approx(target, rel=1e-6)


def test_raking_on_one_margin_is_cell_weighting():
    frame = pd.DataFrame({"sex": ["sex_man"] * 2 + ["sex_vrouw"] * 8})
    w = survey_weighting.rake(frame, {"sex": {"sex_man": 50, "sex_vrouw": 50}})
    # men 2 of 10 → weight 0.5/0.2 = 2.5; women 0.5/0.8 = 0.625
    assert list(w.round(6)) == [2.5] * 2 + [0.625] * 8


def test_raking_leaves_respondents_without_a_category_out_of_that_margin():
    # Respondents 2 and 5 gave no sex: their weight is not adjusted on sex, and the known ones
    # are raked to the known respondents' share of the (base) weight.
    frame = pd.DataFrame(
        {
            "age": ["age_15_25", "age_15_25", "age_25_45", "age_25_45", "age_25_45", "age_15_25"],
            "sex": ["sex_man", "sex_vrouw", None, "sex_man", "sex_vrouw", None],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    base = pd.Series([1.0, 2.0, 1.5, 1.0, 3.0, 0.5], index=frame.index)
    margins = {"age": {"age_15_25": 40, "age_25_45": 60}, "sex": {"sex_man": 1, "sex_vrouw": 3}}
    w = survey_weighting.rake(frame, margins, base_weight=base, total=100)
    assert list(w.index) == list(frame.index)
    assert w.sum() == pytest.approx(100)
    assert w.groupby(frame["age"]).sum().to_dict() == pytest.approx(
        {"age_15_25": 40, "age_25_45": 60}, rel=1e-8
    )
    known = frame["sex"].notna()
    by_sex = w[known].groupby(frame.loc[known, "sex"]).sum() / w[known].sum()
    assert by_sex.to_dict() == pytest.approx({"sex_man": 0.25, "sex_vrouw": 0.75}, rel=1e-8)
    assert base.equals(pd.Series([1.0, 2.0, 1.5, 1.0, 3.0, 0.5], index=frame.index))  # untouched


def test_poststratification_uses_population_structure_per_wijk():
    resp = pd.DataFrame(
        {
            "year": 2023,
            "wijk_code": ["WK016400"] * 4,
            "age": ["age_15_25", "age_65_plus", "age_65_plus", "age_65_plus"],
            "sex": ["sex_man", "sex_vrouw", "sex_vrouw", "sex_man"],
        }
    )
    structure = pd.DataFrame(
        [
            ("WK016400", 2023, g, v)
            for g, v in {
                "age_0_15": 100,
                "age_15_25": 300,
                "age_25_45": 0,
                "age_45_65": 0,
                "age_65_plus": 300,
                "sex_man": 400,
                "sex_vrouw": 300,
            }.items()
        ],
        columns=["area_code", "year", "group", "inhabitants"],
    )
    w, note = survey_weighting.poststratify(resp, structure)
    assert "raking" in note
    assert w.sum() == pytest.approx(600)  # the wijk's population aged 15+
    assert w[resp.age == "age_15_25"].sum() == pytest.approx(300, rel=1e-6)
    share_man = w[resp.sex == "sex_man"].sum() / w.sum()
    assert share_man == pytest.approx(4 / 7, rel=1e-6)
    w0, note0 = survey_weighting.poststratify(resp, None)
    assert list(w0) == [1.0] * 4 and note0.startswith("ongewogen")


def test_change_from_microdata_margins_flips_with_the_sample_size():
    def est(k, n):
        return survey_weighting.weighted_proportion([1] * k + [0] * (n - k))

    small_1, small_2 = est(12, 40), est(16, 40)  # 30% → 40% with 40 respondents each
    big_1, big_2 = est(300, 1000), est(400, 1000)  # the same shares with 1000 each

    def change(a, b):
        return stats.survey_change(
            2019, a.value, a.lower, a.upper, 2023, b.value, b.lower, b.upper, source=survey.SOURCE
        )

    small, big = change(small_1, small_2), change(big_1, big_2)
    assert not small.significant()
    assert big.significant() and big.difference == pytest.approx(10.0)


def test_template_example_is_read_and_estimated():
    path = TEMPLATES / "eigen_enquete_2023.csv"
    resp = survey_template.read_survey_file(path, WIJKEN)
    assert len(resp) == 8
    assert set(resp["wijk_code"]) == {"WK016400", "WK016401"}  # buurt codes give their wijk
    assert resp.loc[0, "weight"] == pytest.approx(1.8)  # decimal comma
    assert resp["onveilig_buurt"].tolist() == [1, 0, 0, 1, 0, 0, 1, 0]
    assert np.isnan(resp.loc[4, "tevreden_aanpak_gemeente"])  # "weet niet" is no answer
    out = survey.clean_survey([path], None, WIJKEN, min_n=3)
    gm = out[(out.area_code == "GM0164") & (out.indicator == "onveilig_buurt")].iloc[0]
    w = resp["weight"]
    expected = 100 * (w * resp["onveilig_buurt"]).sum() / w.sum()
    assert gm["value"] == pytest.approx(expected, abs=1e-3)
    assert gm["n"] == 8 and gm["lower"] < gm["value"] < gm["upper"]
    mark = out[(out.area_code == "GM0164") & (out.indicator == "rapportcijfer_veiligheid")]
    assert mark["value"].iloc[0] == pytest.approx(
        (w * resp["rapportcijfer_veiligheid"]).sum() / w.sum(), abs=1e-3
    )
    suppressed = survey.clean_survey([path], None, WIJKEN)  # default min_n 50
    assert suppressed["value"].isna().all() and (suppressed["n"] > 0).all()


def _bad(tmp_path, name, old, new, count=1):
    text = (TEMPLATES / "eigen_enquete_2023.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old, new, column, row, words",
    [
        (";2023;WK016401;;25-44", ";twintig;WK016401;;25-44", "jaar", 6, "not a whole number"),
        (";2023;WK016401;;25-44", ";2021;WK016401;;25-44", "jaar", 6, "outside the survey's waves"),
        ("R0006;", "R0005;", "respondent", 7, "duplicate respondent 'R0005'"),
        (";WK016401;;45-64", ";WK016499;;45-64", "wijkcode", 7, "unknown wijk code 'WK016499'"),
        (";1,1;", ";veel;", "gewicht", 6, "not a number"),
        (";0,9;zelden;7;", ";;zelden;7;", "gewicht", 7, "some respondents only"),
        (";9;(bijna)", ";11;(bijna)", "rapportcijfer_veiligheid", 6, "outside 1-10"),
        (";tevreden;ja;ja", ";blij;ja;ja", "tevreden_aanpak_gemeente", 2, "unknown answer 'blij'"),
    ],
)
def test_bad_survey_file_names_file_column_row(tmp_path, old, new, column, row, words):
    path = _bad(tmp_path, "eigen_enquete_2023.csv", old, new)
    with pytest.raises(DataError) as info:
        survey_template.read_survey_file(path, WIJKEN)
    err = info.value
    assert (err.path, err.column, err.row) == (path, column, row)
    assert words in str(err) and "eigen_enquete_2023.csv" in str(err)


def test_missing_column_is_refused(tmp_path):
    path = _bad(tmp_path, "eigen_enquete_2023.csv", "respondent;", "id;")
    with pytest.raises(DataError, match="column 'respondent', row 1: column missing"):
        survey_template.read_survey_file(path, WIJKEN)


def test_duplicate_respondent_across_files_is_refused(tmp_path):
    shutil.copy(TEMPLATES / "eigen_enquete_2023.csv", tmp_path / "eigen_enquete_2023.csv")
    shutil.copy(TEMPLATES / "eigen_enquete_2023.csv", tmp_path / "eigen_enquete_2023_extra.csv")
    with pytest.raises(DataError, match="duplicate respondent 'R0001' in wave 2023"):
        survey_template.read_survey(sorted(tmp_path.glob("*.csv")), WIJKEN)


def test_wave_with_a_wijk_without_population_stays_unweighted():
    resp = pd.DataFrame(
        {
            "year": 2023,
            "wijk_code": ["WK016400", "WK016400", "WK016401"],
            "age": ["age_15_25", "age_65_plus", "age_65_plus"],
            "sex": ["sex_man", "sex_vrouw", "sex_man"],
        }
    )
    groups = {"age_15_25": 10, "age_25_45": 10, "age_45_65": 10, "age_65_plus": 10}
    structure = pd.DataFrame(
        [("WK016400", 2021, g, v) for g, v in groups.items()],
        columns=["area_code", "year", "group", "inhabitants"],
    )
    w, note = survey_weighting.poststratify(resp, structure)
    assert list(w) == [1.0, 1.0, 1.0]
    assert note == "ongewogen: geen bruikbare bevolkingsopbouw voor WK016401"
    w, note = survey_weighting.poststratify(resp[resp.wijk_code == "WK016400"], structure)
    assert note.startswith("nagewogen") and w.sum() == pytest.approx(40)  # nearest year (2021)


def test_item_missing_from_the_file_gives_no_rows(tmp_path):
    text = (TEMPLATES / "eigen_enquete_2023.csv").read_text(encoding="utf-8")
    lines = [
        ";".join(line.split(";")[:-1]) for line in text.splitlines()
    ]  # drop slachtoffer_online
    path = tmp_path / "eigen_enquete_2023.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = survey.clean_survey([path], None, WIJKEN, min_n=1)
    assert "slachtoffer_online" not in set(out["indicator"])
    assert "slachtoffer_totaal" in set(out["indicator"])


MARGINS_AGE_SEX = {"age": {"a": 40, "b": 60}, "sex": {"m": 50, "v": 50}}


def test_raking_skips_a_margin_nobody_answered():
    # Nobody gave their sex: raked on age alone (a NumPy max over no respondents once raised,
    # which turned weighting off for the whole wave).
    frame = pd.DataFrame({"age": ["a", "b", "b"], "sex": [pd.NA] * 3})
    w = survey_weighting.rake(frame, MARGINS_AGE_SEX, total=100)
    assert list(w) == pytest.approx([40, 30, 30])
    empty = survey_weighting.rake(frame.iloc[:0], MARGINS_AGE_SEX, total=100)
    assert empty.empty
    # The one rule the method note reads too: a margin counts once anyone has a category on it.
    assert survey_weighting.raked_margins(frame, MARGINS_AGE_SEX) == ["age"]
    frame.loc[2, "sex"] = "m"
    assert survey_weighting.raked_margins(frame, MARGINS_AGE_SEX) == ["age", "sex"]


def test_raking_that_cannot_meet_the_margins_raises():
    # Age and sex coincide in the sample (all a's are men): 40/60 and 50/50 cannot both hold.
    frame = pd.DataFrame({"age": ["a", "a", "b", "b"], "sex": ["m", "m", "v", "v"]})
    with pytest.raises(survey_weighting.RakingNotConverged, match="did not converge in 200"):
        survey_weighting.rake(frame, MARGINS_AGE_SEX, total=100)


def test_raking_base_weights_match_by_label_and_are_refused_when_unusable():
    frame = pd.DataFrame({"age": ["a", "b", "b"], "sex": ["m", "v", "m"]}, index=[10, 11, 12])
    base = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])
    forward = survey_weighting.rake(frame, {"age": {"a": 40, "b": 60}}, base_weight=base)
    reverse = survey_weighting.rake(frame, {"age": {"a": 40, "b": 60}}, base_weight=base.iloc[::-1])
    pd.testing.assert_series_equal(forward, reverse)
    assert forward[11] / forward[12] == pytest.approx(2 / 3)
    for bad in ([1.0, float("nan"), 3.0], [1.0, -2.0, 3.0]):
        with pytest.raises(ValueError, match="missing or negative"):
            survey_weighting.rake(frame, MARGINS_AGE_SEX, base_weight=pd.Series(bad, frame.index))
    with pytest.raises(ValueError, match="matched by index"):
        survey_weighting.rake(frame, MARGINS_AGE_SEX, base_weight=pd.Series([1.0, 1.0]))
    with pytest.raises(ValueError, match="a age category has respondents but no base weight"):
        survey_weighting.rake(
            frame, MARGINS_AGE_SEX, base_weight=pd.Series([0.0, 1.0, 1.0], frame.index)
        )


def _structure(wijk: str) -> pd.DataFrame:
    groups = {"age_15_25": 10, "age_25_45": 10, "age_45_65": 10, "age_65_plus": 10}
    groups |= {"sex_man": 20, "sex_vrouw": 20}
    return pd.DataFrame(
        [(wijk, 2023, g, v) for g, v in groups.items()],
        columns=["area_code", "year", "group", "inhabitants"],
    )


def test_a_wijk_where_nobody_gave_sex_is_weighted_on_age_and_the_note_says_so():
    resp = pd.DataFrame(
        {
            "year": 2023,
            "wijk_code": ["WK016400"] * 2 + ["WK016401"] * 2,
            "age": ["age_15_25", "age_65_plus"] * 2,
            "sex": ["sex_man", "sex_vrouw", None, None],
        }
    )
    structure = pd.concat([_structure("WK016400"), _structure("WK016401")])
    w, note = survey_weighting.poststratify(resp, structure)
    assert w.sum() == pytest.approx(80)
    assert note == (
        "nagewogen naar leeftijd en geslacht per wijk (raking op CBS Kerncijfers); "
        "WK016401 alleen naar leeftijd"
    )


def test_a_wijk_whose_sample_cannot_meet_its_margins_leaves_the_wave_unweighted_with_the_reason():
    resp = pd.DataFrame(
        {
            "year": 2023,
            "wijk_code": "WK016400",
            "age": ["age_15_25", "age_15_25", "age_65_plus", "age_65_plus"],
            "sex": ["sex_man", "sex_man", "sex_vrouw", "sex_vrouw"],
        }
    )
    structure = _structure("WK016400")
    structure.loc[structure.group == "age_15_25", "inhabitants"] = 30
    w, note = survey_weighting.poststratify(resp, structure)
    assert list(w) == [1.0] * 4
    assert note == "ongewogen: weging naar leeftijd en geslacht komt niet uit voor WK016400"


def test_a_category_without_population_is_named_before_a_margin_without_its_column():
    # The targets are checked before the margins in use are chosen: the error names the category
    # at fault, not a column some other margin lacks (which would be a bare KeyError).
    frame = pd.DataFrame({"age": ["a", "c"]})
    with pytest.raises(ValueError, match="category 'c' without population"):
        survey_weighting.rake(frame, MARGINS_AGE_SEX, total=100)
