"""The OData v3 ``$filter`` subset the fixture server evaluates, as the real server would.

A wrong filter must return what the real server returns: nothing (or an error for syntax it does
not know, e.g. ``in (...)``, which OData v3 lacks).
"""

from __future__ import annotations

import re

# What the plans send: ``startswith(F,'v')``, ``F eq 'v'``, ``F ne 'v'``, ``substringof('v',F)``
# (the catalogue), ``and``, ``or`` and parentheses (``and`` binds tighter than ``or``, as in OData).
TOKEN_RE = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|startswith\((?P<sw_field>\w+),'(?P<sw_value>[^']*)'\)"
    r"|substringof\('(?P<sub_value>[^']*)',(?P<sub_field>\w+)\)"
    r"|(?P<field>\w+) (?P<op>eq|ne) '(?P<value>[^']*)'|(?P<word>and|or)\b)"
)


def parse_filter(expr: str) -> list[tuple[str, object]]:
    out, i = [], 0
    while i < len(expr):
        if expr[i:].strip() == "":
            break
        m = TOKEN_RE.match(expr, i)
        if m is None:
            raise ValueError(f"filter not understood by the fixture server: {expr[i:]!r}")
        if m.group("open") or m.group("close"):
            out.append((m.group("open") or m.group("close"), None))
        elif m.group("sw_field"):
            out.append(("test", ("startswith", m.group("sw_field"), m.group("sw_value"))))
        elif m.group("sub_field"):
            out.append(("test", ("substringof", m.group("sub_field"), m.group("sub_value"))))
        elif m.group("field"):
            out.append(("test", (m.group("op"), m.group("field"), m.group("value"))))
        else:
            out.append((m.group("word"), None))
        i = m.end()
    return out


def evaluate(tokens: list, row: dict) -> bool:
    pos = 0

    def factor() -> bool:
        nonlocal pos
        kind, test = tokens[pos]
        pos += 1
        if kind == "(":
            value = disjunction()
            if pos >= len(tokens) or tokens[pos][0] != ")":
                raise ValueError("unbalanced parentheses in the filter")
            pos += 1
            return value
        if kind != "test":
            raise ValueError(f"unexpected {kind!r} in the filter")
        op, name, expected = test
        served = row.get(name)
        if op == "startswith":
            return str(served or "").startswith(expected)
        if op == "substringof":
            return expected in str(served or "")
        return (served == expected) == (op == "eq")  # exact: padding matters

    def conjunction() -> bool:
        nonlocal pos
        value = factor()
        while pos < len(tokens) and tokens[pos][0] == "and":
            pos += 1
            value = factor() and value
        return value

    def disjunction() -> bool:
        nonlocal pos
        value = conjunction()
        while pos < len(tokens) and tokens[pos][0] == "or":
            pos += 1
            value = conjunction() or value
        return value

    value = disjunction()
    if pos != len(tokens):
        raise ValueError("trailing tokens in the filter")
    return value


def matches(row: dict, expr: str | None) -> bool:
    return True if not expr else evaluate(parse_filter(expr), row)
