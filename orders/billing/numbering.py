"""Invoice numbers: sequential without gaps per territory, year and series.

`FA` for invoices, `AV` for credit notes (avoirs), each its own series, as French rules allow:
`FA-LENS-2026-00001`. The number is taken when the document is issued, inside the transaction that
issues it, so a failed issue gives the number back (no gap); drafts have none.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

SERIES = {"invoice": "FA", "credit_note": "AV"}
PATTERN = re.compile(r"^(FA|AV)-([A-Z0-9]+)-(\d{4})-(\d{5,})$")


def territory_code(territory_id: str) -> str:
    """`lens-lievin` → `LENSLIEVIN` (letters and digits only, upper case, at most 12)."""
    return re.sub(r"[^A-Z0-9]", "", territory_id.upper())[:12] or "T"


def format_number(kind: str, territory_id: str, year: int, seq: int) -> str:
    return f"{SERIES[kind]}-{territory_code(territory_id)}-{year}-{seq:05d}"


def gaps(numbers: Iterable[str]) -> list[str]:
    """The numbers missing from each (series, territory, year) run, from 1 to its highest."""
    runs: dict[tuple[str, str, str], set[int]] = {}
    for number in numbers:
        match = PATTERN.match(number)
        if match is None:
            raise ValueError(f"not an invoice number: {number!r}")
        series, code, year, seq = match.groups()
        runs.setdefault((series, code, year), set()).add(int(seq))
    missing = []
    for (series, code, year), seqs in sorted(runs.items()):
        missing += [f"{series}-{code}-{year}-{n:05d}" for n in range(1, max(seqs) + 1) if n not in seqs]
    return missing
