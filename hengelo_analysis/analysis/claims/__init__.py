"""The claims of a policy document, each tested against the data into a verdict with evidence.

A claim is a small declarative :class:`Claim` (id, the Dutch statement from the policy, the
indicator, the test, its parameters and thresholds) plus the evaluator kind that applies it;
:func:`evaluate` turns it into a :class:`Finding` for one gemeente and peiljaar. The Dutch sentence
is generated from the verdict and the figures; it says "stijgt" or "daalt" only when a test
supports the direction. Next to it each evaluator writes a plain ``summary`` (B1 Dutch, no test
jargon, the same tested directions: :mod:`.plain`) that the report shows first.

Modules: :mod:`.model` (verdicts, Claim, Finding, Context), :mod:`.series` (the series and trend
helpers the pages share), the evaluators by topic (:mod:`.crime`, :mod:`.traffic`, :mod:`.survey`,
:mod:`.supplied`, :mod:`.regions`, :mod:`.peer_funnel`, :mod:`.digital`, :mod:`.urban`,
:mod:`.businesses`, :mod:`.youth_national`, :mod:`.ondermijning`, :mod:`.digital_victims`; trends
through :mod:`.fits`), :mod:`.files` (the claim files, checked against a schema), :mod:`.catalogue` (which file applies
to a gemeente) and
:mod:`.evaluation` (judge, load, the ``findings.json`` document). The pipeline's findings stage
judges each claim once per edition; pages read the document, they never call an evaluator.

This is the package's public face: callers write ``from hengelo_analysis.analysis import claims``
and ``claims.<name>``.
"""

from hengelo_analysis.analysis.claims.catalogue import claim_file_for, claims_for
from hengelo_analysis.analysis.claims.evaluation import (
    claim_order,
    claims_for_index,
    evaluate,
    evaluate_all,
    evaluate_tables,
    findings_document,
    findings_from_document,
    load_tables,
)
from hengelo_analysis.analysis.claims.model import (
    ALPHA,
    CONTRADICTED,
    INSUFFICIENT,
    NOT_SUPPORTED,
    SUPPORTED,
    VERDICT_LABELS,
    Context,
    Finding,
)
from hengelo_analysis.analysis.claims.series import (
    crime_series,
    crime_trend,
    population_series,
    trend_phrase,
)
from hengelo_analysis.analysis.claims.survey import survey_change_between
from hengelo_analysis.analysis.stats import InsufficientData

__all__ = [
    "ALPHA",
    "CONTRADICTED",
    "INSUFFICIENT",
    "NOT_SUPPORTED",
    "SUPPORTED",
    "VERDICT_LABELS",
    "Context",
    "Finding",
    "InsufficientData",
    "claim_file_for",
    "claim_order",
    "claims_for",
    "claims_for_index",
    "crime_series",
    "crime_trend",
    "evaluate",
    "evaluate_all",
    "evaluate_tables",
    "findings_document",
    "findings_from_document",
    "load_tables",
    "population_series",
    "survey_change_between",
    "trend_phrase",
]
