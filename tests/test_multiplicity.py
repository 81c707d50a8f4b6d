"""Holm's family-wise correction against statsmodels and by hand."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from hengelo_analysis.analysis.multiplicity import holm, holm_decision


def test_holm_by_hand():
    # sorted 0.01, 0.02, 0.03, 0.5 -> 4*0.01, 3*0.02, 2*0.03 = 0.06, 0.5 -> running max
    assert holm([0.03, 0.5, 0.01, 0.02]) == pytest.approx((0.06, 0.5, 0.04, 0.06))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_holm_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    ps = np.concatenate([rng.uniform(0, 0.02, 3), rng.uniform(0, 1, 9)])
    rng.shuffle(ps)
    rejected, adjusted, _, _ = multipletests(ps, alpha=0.05, method="holm")
    decision = holm_decision(ps, 0.05)
    assert decision.adjusted == pytest.approx(tuple(adjusted))
    assert decision.rejected == tuple(bool(r) for r in rejected)


def test_any_one_test_is_not_enough_uncorrected():
    # three tests each "significant" at 5% on their own, none after correcting for ten
    ps = [0.02, 0.03, 0.04] + [0.5] * 7
    decision = holm_decision(ps, labels=[f"c{i}" for i in range(10)])
    assert min(decision.adjusted) == pytest.approx(0.2)
    assert not decision.any_rejected and decision.significant_labels == ()
    strong = holm_decision([0.001] + ps[1:], labels=[f"c{i}" for i in range(10)])
    assert strong.any_rejected and strong.significant_labels == ("c0",)
    assert strong.as_dict()["family_size"] == 10


def test_capped_at_one_and_empty_family():
    assert holm([0.4, 0.6]) == (0.8, 0.8)
    assert holm([0.9, 0.95, 0.99]) == (1.0, 1.0, 1.0)
    assert holm([]) == ()
    assert not holm_decision([]).any_rejected


def test_missing_pvalue_is_an_error():
    with pytest.raises(ValueError):
        holm([0.01, float("nan")])
    with pytest.raises(ValueError):
        holm_decision([0.01], labels=["a", "b"])
