"""The floor plan: imports follow the data flow drawn in docs/architecture.md, modules stay small.

The allowed layers are read from the table in docs/architecture.md, so the page and the rule can
never disagree; a fixture package with one import against the flow proves the check can fail.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from hengelo_analysis.paths import PACKAGE_DIR, PROJECT_ROOT

ARCHITECTURE = PROJECT_ROOT / "docs" / "architecture.md"
FIXTURE_ROOT = Path(__file__).parent / "fixtures" / "layers"
MAX_MODULE_LINES = 400
MAX_TOP_LEVEL_MODULES = 12


@dataclass(frozen=True)
class Layer:
    name: str
    modules: tuple[str, ...]  # dotted module prefixes, or notebook globs
    may_import: frozenset[str]


def read_layers(page: Path = ARCHITECTURE) -> list[Layer]:
    """The layer table between the ``layers:start`` / ``layers:end`` markers of the page."""
    text = page.read_text(encoding="utf-8")
    block = text.split("<!-- layers:start -->", 1)[1].split("<!-- layers:end -->", 1)[0]
    layers = []
    for line in block.strip().splitlines()[2:]:  # skip the header and the --- row
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name, modules, allowed = cells[0], cells[1], cells[2]
        layers.append(
            Layer(
                name,
                tuple(re.findall(r"`([^`]+)`", modules)),
                frozenset(a.strip() for a in allowed.split(",") if a.strip()),
            )
        )
    return layers


def layer_of(module: str, layers: list[Layer]) -> Layer | None:
    """The layer whose longest module prefix matches ``module`` (``a.b`` matches ``a.b.c``)."""
    best, best_len = None, -1
    for layer in layers:
        for prefix in layer.modules:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = layer, len(prefix)
    return best


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every ``hengelo_analysis`` module a source imports (also inside functions), with its line.

    ``from hengelo_analysis.x import y`` counts as importing ``hengelo_analysis.x.y`` when ``y`` is a
    module, which we cannot know from the text: the longest matching layer prefix decides, so
    both readings land in the same layer unless ``y`` is itself a layer of its own.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import: resolve against this module's package
                parts = module.split(".")
                package = parts if is_package else parts[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            found += [(node.lineno, f"{base}.{a.name}" if base else a.name) for a in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "hengelo_analysis"]


def package_sources(root: Path) -> list[tuple[str, Path, bool]]:
    """(dotted module name, file, is_package) for every .py file of the package under ``root``."""
    out = []
    for path in sorted((root / "hengelo_analysis").rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        out.append((".".join(parts), path, is_package))
    return out


def notebook_code(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    # IPython magics are not Python; the import rule only looks at imports
    return "\n".join(
        "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))
        for cell in cells
    )


def violations(root: Path, layers: list[Layer], notebooks: list[Path] = ()) -> list[str]:
    """Each import against the flow as ``file:line: module (layer) imports target (layer)``."""
    found = []
    units = [(m, p, pkg, p.read_text(encoding="utf-8")) for m, p, pkg in package_sources(root)]
    notebook_layer = next((la for la in layers if la.name == "notebooks"), None)
    for nb in notebooks:
        units.append((f"notebooks.{nb.stem}", nb, False, notebook_code(nb)))
    for module, path, is_package, source in units:
        own = notebook_layer if module.startswith("notebooks.") else layer_of(module, layers)
        if own is None:
            found.append(
                f"{path.name}: module {module} belongs to no layer of docs/architecture.md"
            )
            continue
        for line, target in imported_modules(source, module, is_package):
            target_layer = layer_of(target, layers)
            if target_layer is None:
                found.append(f"{path.name}:{line}: {target} belongs to no layer")
            elif target_layer.name not in own.may_import:
                found.append(
                    f"{path.name}:{line}: {module} ({own.name}) imports {target} "
                    f"({target_layer.name}) against the flow"
                )
    return found


def test_the_page_lists_every_stage_in_flow_order():
    names = [layer.name for layer in read_layers()]
    assert names[:2] == ["domain", "core"]
    for earlier, later in [("sources", "analysis"), ("analysis", "pages"), ("pages", "pipeline")]:
        assert names.index(earlier) < names.index(later)
    domain = next(la for la in read_layers() if la.name == "domain")
    assert domain.may_import == frozenset()  # the bottom layer imports nothing of the package


def test_no_import_runs_against_the_flow():
    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    assert violations(PROJECT_ROOT, read_layers(), notebooks) == []


def test_an_import_against_the_flow_is_caught():
    """The fixture's analysis module imports a raw reader inside a function: that must fail."""
    found = violations(FIXTURE_ROOT, read_layers())
    assert len(found) == 1, found
    assert "hengelo_analysis.analysis.rates (analysis) imports" in found[0]
    assert "imports hengelo_analysis.sources.police.TABLE_ID (sources) against the flow" in found[0]
    assert found[0].startswith("rates.py:7:")


def test_relative_imports_are_resolved_against_their_package():
    src = "from ..sources import police\nfrom . import rates\n"
    got = [t for _, t in imported_modules(src, "hengelo_analysis.analysis.x", False)]
    assert got == ["hengelo_analysis.sources.police", "hengelo_analysis.analysis.rates"]


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_is_longer_than_the_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(PROJECT_ROOT)} has {lines} lines"


def test_few_modules_sit_directly_in_the_package():
    top = sorted(p.name for p in PACKAGE_DIR.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top
