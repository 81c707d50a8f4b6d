"""Secrets for notebooks, kept out of every executed notebook.

papermill writes injected parameters into the notebook's source and its metadata
(``metadata.papermill.parameters``), so a secret must never be a parameter. Secrets reach the kernel
through the environment (``HENGELO_SECRET_<NAME>``), and the runner redacts any secret value that
still ends up in an output before the notebook is saved.
"""

from __future__ import annotations

import os
import re

PREFIX = "HENGELO_SECRET_"
REDACTED = "***"
# Parameter names that look like credentials are refused: they would be written to the notebook.
SECRET_NAME_RE = re.compile(r"(secret|token|password|passwd|api_?key|credential)", re.I)


def get(name: str) -> str | None:
    """The secret ``name`` from ``HENGELO_SECRET_<NAME>``, or ``None``."""
    return os.environ.get(PREFIX + name.upper())


def values() -> list[str]:
    """Every secret value present in the environment (non-trivial ones only)."""
    return [v for k, v in os.environ.items() if k.startswith(PREFIX) and len(v) >= 4]


def redact(text: str, secrets: list[str]) -> str:
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text
