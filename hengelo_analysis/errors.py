"""Errors that the CLI turns into one clear line on stderr (no traceback unless --debug)."""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """An expected failure: bad parameters or bad input, reported as one line."""


class ParameterError(AnalysisError):
    """A CLI or notebook parameter is invalid."""


class DataError(AnalysisError):
    """An input file is unusable. Names the file and, where known, the column and row.

    Parameters
    ----------
    path : the offending file
    problem : what is wrong, in a few words
    column : the column (or JSON key) at fault
    row : the 1-based row (or record) number at fault
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        column: str | None = None,
        row: int | None = None,
    ):
        self.path = Path(path)
        self.problem = problem
        self.column = column
        self.row = row
        where = [str(self.path)]
        if column is not None:
            where.append(f"column {column!r}")
        if row is not None:
            where.append(f"row {row}")
        super().__init__(f"{', '.join(where)}: {problem}")


class NotebookError(AnalysisError):
    """A notebook failed while executing; the executed notebook is kept for inspection."""
