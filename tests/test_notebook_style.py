"""One page style for every notebook: each rule is a small function returning its violations.

The rules ("thin notebooks"): code cells of at most 15 lines; imports only in the first code
cell; a page imports its own chapter module only, as ``hoofdstuk``; no notebook reaches into
``sources`` or ``pipeline`` (nor into the claims package's inner modules); no year literal outside
the ``parameters`` cell; the same parameters everywhere; the loaded tables are always called
``tabellen``; no positional indexing (``.iloc[3]``, ``oordelen[1:]``) that silently means a
verdict or a claim; exactly one ``parameters`` cell; committed without outputs.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
MAX_LINES = 15
PARAMETERS = ("gemeente", "peiljaar", "source", "data_dir", "rate_unit")
CHAPTERS = "hengelo_analysis.pages.chapters"
FORBIDDEN = (
    "hengelo_analysis.sources",
    "hengelo_analysis.pipeline",
    "hengelo_analysis.analysis.claims.",
)
YEAR_RE = re.compile(r"(?<![\d.,])(19|20)\d{2}(?![\d.,])")
TABLES_NAME = "tabellen"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[tuple[int, dict, str]]:
    """(cell number, cell, source) of the code cells, numbered as in the notebook."""
    return [
        (i, cell, "".join(cell["source"]))
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
    ]


def _is_parameters(cell: dict) -> bool:
    return "parameters" in cell.get("metadata", {}).get("tags", [])


def _page_module(path: Path) -> str:
    """``03_zorg_en_overlast.ipynb`` → ``zorg_en_overlast`` (its chapter module)."""
    return re.sub(r"^\d+_", "", path.stem)


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, alias.asname
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                yield node, f"{node.module}.{alias.name}", alias.asname


def long_cells(path: Path, nb: dict) -> list[str]:
    return [
        f"{path.name} cell {i}: {n} lines (at most {MAX_LINES})"
        for i, _, src in _code_cells(nb)
        if (n := len(src.strip("\n").splitlines())) > MAX_LINES
    ]


def late_imports(path: Path, nb: dict) -> list[str]:
    cells = _code_cells(nb)
    return [
        f"{path.name} cell {i}: import outside the first code cell"
        for i, _, src in cells[1:]
        if any(True for _ in _imports(ast.parse(src)))
    ]


def chapter_imports(path: Path, nb: dict) -> list[str]:
    own = f"{CHAPTERS}.{_page_module(path)}"
    out = []
    for i, _, src in _code_cells(nb):
        for _, name, alias in _imports(ast.parse(src)):
            if not name.startswith(CHAPTERS + "."):
                continue
            if name != own:
                out.append(f"{path.name} cell {i}: imports another page's chapter module {name}")
            elif alias != "hoofdstuk":
                out.append(f"{path.name} cell {i}: import {name} as hoofdstuk")
    return out


def forbidden_imports(path: Path, nb: dict) -> list[str]:
    return [
        f"{path.name} cell {i}: imports {name} (pages get it via pages/ or analysis.claims)"
        for i, _, src in _code_cells(nb)
        for _, name, _ in _imports(ast.parse(src))
        if name.startswith(FORBIDDEN)
    ]


def year_literals(path: Path, nb: dict) -> list[str]:
    out = []
    for i, cell, src in _code_cells(nb):
        if _is_parameters(cell):
            continue
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, str)):
                if isinstance(node.value, bool):
                    continue
                if m := YEAR_RE.search(str(node.value)):
                    out.append(f"{path.name} cell {i}: year literal {m.group(0)}")
    return out


def parameter_cell(path: Path, nb: dict) -> list[str]:
    cells = [(i, src) for i, cell, src in _code_cells(nb) if _is_parameters(cell)]
    if len(cells) != 1:
        return [f"{path.name}: {len(cells)} cells tagged parameters (exactly one)"]
    i, src = cells[0]
    names = tuple(
        node.target.id
        for node in ast.parse(src).body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    )
    if names != PARAMETERS:
        return [
            f"{path.name} cell {i}: parameters {', '.join(names)} (expected {', '.join(PARAMETERS)})"
        ]
    return []


def table_names(path: Path, nb: dict) -> list[str]:
    out = []
    for i, _, src in _code_cells(nb):
        for node in ast.walk(ast.parse(src)):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "load_tables"
                and [ast.unparse(t) for t in node.targets] != [TABLES_NAME]
            ):
                target = ", ".join(ast.unparse(t) for t in node.targets)
                out.append(
                    f"{path.name} cell {i}: load_tables assigned to {target} (call it {TABLES_NAME})"
                )
    return out


def _is_position(index: ast.AST) -> bool:
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub):
        index = index.operand
    if isinstance(index, ast.Constant):
        return isinstance(index.value, int) and not isinstance(index.value, bool)
    if isinstance(index, ast.Slice):
        return all(p is None or _is_position(p) for p in (index.lower, index.upper, index.step))
    return False


def positional_indexing(path: Path, nb: dict) -> list[str]:
    return [
        f"{path.name} cell {i}: positional indexing {ast.unparse(node)} (use an id or a name)"
        for i, _, src in _code_cells(nb)
        for node in ast.walk(ast.parse(src))
        if isinstance(node, ast.Subscript) and _is_position(node.slice)
    ]


def outputs(path: Path, nb: dict) -> list[str]:
    return [
        f"{path.name} cell {i}: committed with outputs"
        for i, cell, _ in _code_cells(nb)
        if cell.get("outputs") or cell.get("execution_count") is not None
    ]


RULES = (
    long_cells,
    late_imports,
    chapter_imports,
    forbidden_imports,
    year_literals,
    parameter_cell,
    table_names,
    positional_indexing,
    outputs,
)


def violations(path: Path) -> list[str]:
    nb = _load(path)
    return [message for rule in RULES for message in rule(path, nb)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_page_style(path):
    assert violations(path) == []


def test_there_are_nine_pages():
    assert len(NOTEBOOKS) == 9


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("long_cell", "02_criminaliteit.ipynb cell 3: 16 lines (at most 15)"),
        ("year_literal", "02_criminaliteit.ipynb cell 3: year literal 2021"),
        (
            "other_chapter",
            "03_zorg_en_overlast.ipynb cell 1: imports another page's chapter module "
            "hengelo_analysis.pages.chapters.verkeer",
        ),
        ("late_import", "02_criminaliteit.ipynb cell 3: import outside the first code cell"),
        (
            "sources_import",
            "06_veiligheidsbeleving.ipynb cell 1: imports hengelo_analysis.sources.survey "
            "(pages get it via pages/ or analysis.claims)",
        ),
        (
            "positional",
            "01_veiligheidsbeeld.ipynb cell 3: positional indexing telling.iloc[3] (use an id or a name)",
        ),
        (
            "parameters",
            "02_criminaliteit.ipynb cell 2: parameters gemeente, jaar, source, data_dir, rate_unit (expected gemeente, peiljaar, source, data_dir, rate_unit)",
        ),
        (
            "table_name",
            "02_criminaliteit.ipynb cell 3: load_tables assigned to data (call it tabellen)",
        ),
        ("outputs", "02_criminaliteit.ipynb cell 3: committed with outputs"),
    ],
)
def test_each_rule_reports_exactly_its_violation(case, message):
    (path,) = (FIXTURES / case).glob("*.ipynb")
    assert violations(path) == [message]


def test_a_clean_fixture_has_no_violations():
    (path,) = (FIXTURES / "clean").glob("*.ipynb")
    assert violations(path) == []
