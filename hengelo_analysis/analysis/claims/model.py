"""What a claim is, what its verdict is, and what it is judged against.

Verdicts:

- ``supported``: the test shows what the claim says;
- ``not_supported``: the test does not show it (no significant change, or mixed evidence);
- ``contradicted``: the test shows the opposite;
- ``insufficient_data``: a table is missing, a value is suppressed/not published, or too few
  points; the reason is in the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from hengelo_analysis.analysis.stats import InsufficientData
from hengelo_analysis.analysis.table_index import area_rows, remembered

SUPPORTED = "supported"
NOT_SUPPORTED = "not_supported"
CONTRADICTED = "contradicted"
INSUFFICIENT = "insufficient_data"
VERDICT_LABELS = {
    SUPPORTED: "de cijfers ondersteunen dit",
    NOT_SUPPORTED: "niet aangetoond",
    CONTRADICTED: "de cijfers wijzen de andere kant op",
    INSUFFICIENT: "onvoldoende gegevens",
}
ALPHA = 0.05


@dataclass(frozen=True)
class Claim:
    """A claim from the policy, with the test that judges it."""

    id: str
    statement: str
    indicator: str
    test: str
    kind: str  # the evaluator in EVALUATORS
    params: Mapping = field(default_factory=dict)
    section: str = ""  # where the policy says it
    reasons: Mapping = field(default_factory=dict)  # threshold name -> why this value


@dataclass
class Finding:
    """The verdict on one claim for one gemeente and peiljaar."""

    claim_id: str
    verdict: str
    evidence: dict
    test: str
    sentence: str  # the verdict label and the test figures: the small evidence line
    statement: str
    summary: str = ""  # what came out, in one plain (B1) sentence without test jargon

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "evidence": self.evidence,
            "test": self.test,
            "sentence": self.sentence,
            "statement": self.statement,
            "summary": self.summary,
        }


@dataclass
class Context:
    """What a claim is evaluated against."""

    tables: Mapping[str, pd.DataFrame]
    gemeente: str
    peiljaar: int
    rate_unit: int = 1000

    def table(self, name: str) -> pd.DataFrame:
        df = self.tables.get(name)
        if df is None:
            raise InsufficientData(f"tabel '{name}' ontbreekt")
        return df

    def area_name(self, code: str | None = None) -> str:
        """The name of an area (default: the gemeente) from the tables.

        A reader knows "Hengelo", not GM0164: sentences name areas through here. Without a name
        in the tables the gemeente is "de gemeente", another area keeps its code.
        """
        code = code or self.gemeente
        name = remembered(self.tables, ("area_name", code), lambda: self._table_name(code))
        if name is not None:
            return name
        return "de gemeente" if code == self.gemeente else code

    def _table_name(self, code: str) -> str | None:
        for name in ("crime", "population", "survey"):
            df = self.tables.get(name)
            if df is None or "area_name" not in df.columns:
                continue
            names = area_rows(self.tables, name, [code], ["area_name"])["area_name"]
            names = names.dropna().astype(str).str.strip()
            names = names[(names != "") & (names != code)]
            if not names.empty:
                return str(names.iloc[0])
        return None


def rounded(value, digits: int = 3):
    """``value`` rounded for the evidence; NaN and infinity become None (json has neither)."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return None
    return round(float(value), digits)


def verdict_sentence(verdict: str, detail: str) -> str:
    """The finding's Dutch sentence: the verdict label, then the figures behind it."""
    label = VERDICT_LABELS[verdict]
    return f"{label[0].upper()}{label[1:]}: {detail}."
