"""The FEC (Fichier des écritures comptables, article A47 A-1 of the Livre des procédures fiscales):
every euro entry of a fiscal year, one row per line, the 18 legal columns, tab-separated, dates
YYYYMMDD, amounts with a decimal comma. The MANNE book is not in it (it is not euros); its value
in euros is, through 4191.

An invoices CSV goes beside it: one row per invoice and credit note, with its totals.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orders.billing.accounts import JOURNALS, LABELS
from orders.billing.ledger import Entry
from orders.billing.money import EUR

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
           "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
           "ValidDate", "Montantdevise", "Idevise")


def _d(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def rows(entries: Iterable[Entry], year: int) -> list[tuple[str, ...]]:
    """The FEC rows of `year`'s euro entries, numbered in date order (EcritureNum), lines in order."""
    kept = sorted((e for e in entries if e.unit == EUR and e.day.year == year), key=lambda e: (e.day, e.id or 0))
    out = []
    for num, entry in enumerate(kept, start=1):
        for ln in entry.lines:
            out.append((entry.journal, JOURNALS[entry.journal], f"{entry.journal}{year}-{num:06d}", _d(entry.day),
                        ln.account, LABELS.get(ln.account, ln.account), ln.aux, ln.aux_label if ln.aux else "",
                        entry.piece or f"{entry.source}-{entry.source_id}", _d(entry.day),
                        entry.label.replace("\t", " "), _amount(ln.debit), _amount(ln.credit), "", "",
                        _d(entry.day), "", ""))
    return out


def to_text(rows_: Sequence[Sequence[str]]) -> str:
    lines = ["\t".join(COLUMNS)] + ["\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in r) for r in rows_]
    return "\r\n".join(lines) + "\r\n"


def filename(siren: str, closing: date) -> str:
    """`<SIREN>FEC<AAAAMMJJ>.txt`, the name the administration expects."""
    return f"{siren}FEC{closing.strftime('%Y%m%d')}.txt"


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    number: str
    kind: str  # invoice or credit_note
    issued_on: date
    buyer: str
    buyer_siret: str
    week: str
    net: Decimal
    vat: Decimal
    gross: Decimal
    basis: str
    credits: str = ""  # for a credit note, the invoice it credits


INVOICE_COLUMNS = ("numero", "type", "date", "acheteur", "siret", "semaine", "ht_eur", "tva_eur", "ttc_eur",
                   "base", "facture_creditee")


def invoices_csv(rows_: Iterable[InvoiceRow], kind_fr: Mapping[str, str] | None = None) -> str:
    kind_fr = kind_fr or {"invoice": "facture", "credit_note": "avoir"}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(INVOICE_COLUMNS)
    for r in rows_:
        sign = -1 if r.kind == "credit_note" else 1
        writer.writerow([r.number, kind_fr[r.kind], r.issued_on.isoformat(), r.buyer, r.buyer_siret, r.week,
                         _amount(sign * r.net), _amount(sign * r.vat), _amount(sign * r.gross), r.basis, r.credits])
    return out.getvalue()
