"""One gemeente's edition settings: its claim file, colofon, peer group and rate unit.

A configuration is a small TOML file (``gemeenten/<GMxxxx>.toml`` for the shipped ones, or any
file named with ``--config``), checked at start against ``gemeenten/config.schema.json``: a fault
is one :class:`~hengelo_analysis.errors.DataError` naming the file and the key. A gemeente without
a configuration gets the defaults: rates per 1,000 inhabitants (as CBS), no colofon, the claim
file's own peer group, and the generic claim file.

``claims`` names a shipped claim file by its name (``GM0164.toml``, ``generic.toml``) or is a path
relative to the configuration file, so a gemeente can keep its config and claims side by side.

Standard library only: the CLI reads this at start, before any stage has work to do.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from hengelo_analysis.errors import DataError
from hengelo_analysis.paths import CLAIM_FILES_DIR, GEMEENTEN_DIR, GENERIC_CLAIM_FILE

SCHEMA_FILE = GEMEENTEN_DIR / "config.schema.json"
DEFAULT_RATE_UNIT = 1000


@dataclass(frozen=True)
class GemeenteConfig:
    gemeente: str
    claims_file: Path
    rate_unit: int = DEFAULT_RATE_UNIT
    colofon: dict = field(default_factory=dict)  # organisation, email, url
    peers: dict = field(default_factory=dict)  # rule, band; empty: the claim file's own
    path: Path | None = None  # None: the defaults, no file

    def as_dict(self) -> dict:
        """What an edition records of its configuration (part of the findings key)."""
        return {
            "file": self.path.name if self.path else None,
            "colofon": dict(self.colofon),
            "peers": dict(self.peers),
        }


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


# The schema keywords ``_check`` understands; the schema file may use no others (tested), so a
# keyword added there is never silently ignored.
KEYWORDS = frozenset(
    {"$schema", "title", "description", "type", "required", "additionalProperties", "properties"}
    | {"enum", "const", "pattern", "minLength", "exclusiveMinimum", "maximum"}
)
TYPES = {"object": dict, "string": str, "number": (int, float)}


def _check(value, schema: dict, key: str) -> str | None:
    """The first fault of ``value`` against ``schema`` as "key …: problem", or None.

    A small interpreter of the JSON-schema subset the configuration uses: jsonschema itself costs
    a third of a second to import, more than the whole warm ``report`` otherwise takes.
    """
    where = f"key {key or 'top level'}"
    if isinstance(value, float) and not math.isfinite(value):
        # TOML allows nan and inf; every comparison with nan is false, so the range checks below
        # would pass it and the first stage to use it would fail with a traceback.
        return f"{where}: {value!r} is not a finite number"
    if "type" in schema and (
        not isinstance(value, TYPES[schema["type"]]) or isinstance(value, bool)
    ):
        return f"{where}: {value!r} is not of type {schema['type']!r}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{where}: {value!r} is not one of {schema['enum']}"
    if "const" in schema and value != schema["const"]:
        return f"{where}: {value!r} should be {schema['const']!r}"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return f"{where}: {value!r} does not match {schema['pattern']!r}"
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        return f"{where}: {value!r} is too short"
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        return f"{where}: {value!r} is not greater than {schema['exclusiveMinimum']}"
    if "maximum" in schema and value > schema["maximum"]:
        return f"{where}: {value!r} is greater than the maximum of {schema['maximum']}"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                return f"{where}: {name!r} is a required property"
        for name, item in value.items():
            inner = f"{key}.{name}" if key else name
            if name not in properties:
                if schema.get("additionalProperties", True) is False:
                    return f"{where}: {name!r} was unexpected (not a known key)"
                continue
            fault = _check(item, properties[name], inner)
            if fault:
                return fault
    return None


def _validate(path: Path, doc: dict) -> None:
    fault = _check(doc, _schema(), "")
    if fault:
        raise DataError(path, fault)


def resolve_claims(value: str, config_dir: Path) -> Path:
    """A shipped claim file by bare name, else a path relative to the configuration's folder."""
    if "/" not in value and "\\" not in value and (CLAIM_FILES_DIR / value).is_file():
        return CLAIM_FILES_DIR / value
    return (config_dir / value).resolve()


def load_config(path: str | Path) -> GemeenteConfig:
    """Read and check one configuration file."""
    path = Path(path).expanduser().resolve()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(path, f"not a readable gemeente configuration ({exc})") from exc
    _validate(path, doc)
    claims = resolve_claims(doc["claims"], path.parent) if "claims" in doc else GENERIC_CLAIM_FILE
    if not claims.is_file():
        raise DataError(path, f"key claims: no claim file {doc['claims']!r} ({claims})")
    return GemeenteConfig(
        doc["gemeente"],
        claims,
        int(doc.get("rate_unit", DEFAULT_RATE_UNIT)),
        dict(doc.get("colofon", {})),
        dict(doc.get("peers", {})),
        path,
    )


def shipped_config(gemeente: str) -> Path | None:
    path = GEMEENTEN_DIR / f"{gemeente}.toml"
    return path if path.is_file() else None


def config_for(gemeente: str, path: str | Path | None = None) -> GemeenteConfig:
    """The configuration of ``gemeente``: ``path`` if given, its shipped one, or the defaults.

    A file given for another gemeente is refused: its claims and colofon would be the wrong ones.
    """
    chosen = Path(path) if path is not None else shipped_config(gemeente)
    if chosen is None:
        return GemeenteConfig(gemeente, GENERIC_CLAIM_FILE)
    config = load_config(chosen)
    if config.gemeente != gemeente:
        raise DataError(
            config.path, f"key gemeente: the file is for {config.gemeente}, not {gemeente}"
        )
    return config


def file_sha256(path: Path) -> str:
    """Content hash of a claim file, without parsing it (part of the findings key)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
