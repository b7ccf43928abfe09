"""Debian control data (deb-control(5), deb822): paragraphs of `Field: value` lines, and the
relationship fields (Depends, Pre-Depends, Provides) that name other packages.

dpkg's status file and a .deb's control file share this format; field names are
case-insensitive, so they are kept here in lower case."""

from __future__ import annotations

import re


def parse_paragraphs(text: str) -> list[dict[str, str]]:
    """Every paragraph of `text`; a continuation line (leading blank) extends the field above."""
    paragraphs: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            if fields:
                paragraphs.append(fields)
            fields, last = {}, None
        elif line[0] in " \t":
            if last is not None:
                fields[last] += "\n" + line
        elif ":" in line and not line.startswith("#"):
            name, value = line.split(":", 1)
            last = name.strip().lower()
            fields[last] = value.strip()
    if fields:
        paragraphs.append(fields)
    return paragraphs


# One package name in a relationship: what follows it ((>= 1.0), [arch], <profile>) is dropped.
_NAME = re.compile(r"\s*([a-z0-9][a-z0-9+.\-]*)(?::[a-z0-9\-]+)?")


def parse_relations(value: str | None) -> tuple[tuple[str, ...], ...]:
    """`a (>= 1) | b:any, c` -> (("a", "b"), ("c",)): every clause must hold, any one
    alternative of a clause satisfies it. Versions and architecture qualifiers are dropped:
    what matters here is which installed package satisfies a clause, and the root's
    installed set is already consistent."""
    clauses = []
    for clause in (value or "").split(","):
        names = []
        for alternative in clause.split("|"):
            m = _NAME.match(alternative.strip().lower())
            if m:
                names.append(m.group(1))
        if names:
            clauses.append(tuple(names))
    return tuple(clauses)
