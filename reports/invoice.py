"""Facture (and avoir) to a canteen or its paying body: a Factur-X PDF (EN 16931 profile).

The view model below is printed by `templates/invoice.html` and written as the CII XML by
`reports/cii.py` from the same numbers; WeasyPrint renders the page as PDF/A-3b and the `factur-x`
library embeds the XML (`factur-x.xml`, relationship Data) with the Factur-X XMP metadata, after
checking the XML against the EN 16931 schema (XSD). Amounts: `orders.billing.invoicing` (lines to
the cent, VAT per rate on the sum of its lines).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from orders.billing.delivered import BASES_FR
from orders.billing.invoicing import InvoiceLine, Totals, totals
from reports.cii import cii_xml
from reports.render import html_to_pdf, render_html

KIND_FR = {"invoice": "Facture", "credit_note": "Avoir"}


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    legal_id: str = ""  # the SIREN of the seller, the SIRET of the buyer
    vat_id: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    iban: str = ""
    service_code: str = ""  # Chorus Pro
    commitment_number: str = ""


@dataclass(frozen=True, slots=True)
class DocumentLine:
    day: str
    label: str
    producer: str
    quantity: float
    unit: str
    unit_price: float
    vat_rate: float
    net: object  # Decimal
    basis: str


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    number: str
    kind: str  # invoice or credit_note
    issued_on: date
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    totals: Totals
    week: str = ""
    ship_to: str = ""
    ship_to_address: str = ""
    delivered_on: date | None = None
    due_on: date | None = None
    credits: str = ""  # a credit note: the number of the invoice it credits
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        return KIND_FR[self.kind]

    @property
    def estimated(self) -> bool:
        return any(ln.basis == "plan" for ln in self.lines)


def document(number: str, kind: str, issued_on: date, seller: Party, buyer: Party, lines: Sequence[InvoiceLine],
             producers: dict[str, str], *, week: str = "", ship_to: str = "", ship_to_address: str = "",
             due_on: date | None = None, credits: str = "", reason: str = "") -> InvoiceDocument:
    """The printable invoice of stored lines (names of producers for the page)."""
    doc_lines = tuple(DocumentLine(ln.day, ln.name or ln.product, producers.get(ln.producer, ln.producer),
                                   ln.quantity, ln.unit, ln.unit_price, ln.vat_rate, ln.net, ln.basis)
                      for ln in lines)
    days = sorted({ln.day for ln in lines})
    notes = []
    if any(ln.basis == "plan" for ln in lines):
        notes.append("Quantités marquées « prévu » : livraison non confirmée à l'émission, facturées selon le plan ; "
                     "un avoir corrige tout écart constaté.")
    if credits:
        notes.append(f"Avoir sur la facture {credits}." + (f" Motif : {reason}." if reason else ""))
    return InvoiceDocument(number, kind, issued_on, seller, buyer, doc_lines, totals(lines), week, ship_to,
                           ship_to_address, date.fromisoformat(days[-1]) if days else None, due_on, credits, reason,
                           tuple(notes))


def render_invoice_html(doc: InvoiceDocument) -> str:
    return render_html("invoice.html", doc=doc, bases=BASES_FR, title=f"{doc.title} {doc.number}")


def render_invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The Factur-X PDF: PDF/A-3b page with the CII XML embedded (schema-checked by `factur-x`)."""
    import facturx

    pdf = html_to_pdf(render_invoice_html(doc), variant="pdf/a-3b")
    metadata = {"author": doc.seller.name, "keywords": "Factur-X, facture", "title": f"{doc.title} {doc.number}",
                "subject": f"{doc.title} {doc.number} — {doc.buyer.name}"}
    return facturx.generate_from_binary(pdf, cii_xml(doc), flavor="factur-x", level="en16931", check_xsd=True,
                                        pdf_metadata=metadata, lang="fr-FR")
