"""Use cases of invoicing canteens: prepare and issue an invoice, credit notes, the week's run, the
Factur-X PDF, and the accountant's exports (FEC and the invoices CSV).

Invoices come from what was delivered (`orders.billing.delivered`): confirmed stops at the quantity
handed over, unconfirmed ones at the plan's, marked so; a later run credits what a confirmation
shows was short or refused. Numbers are taken when an invoice is issued, inside the issuing
transaction (no gaps; see `orders/billing/numbering.py`); an issued invoice never changes. Every
function works in the caller's unit of work and never commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from app.models import CanteenPayer, Invoice, InvoiceSequence, PayingBody, Product, Site, Territory, Week
from app.services import delivery, ledger, planning
from app.services.weeks import find_week
from orders.billing import delivered as DL
from orders.billing import fec as F
from orders.billing import invoicing as I
from orders.billing import numbering, postings
from orders.billing.money import ZERO
from orders.errors import Conflict, InvalidInput, NotFound
from reports.invoice import InvoiceDocument, Party, document, render_invoice_pdf

PAYMENT_DAYS = 30  # public buyers pay within 30 days
INVOICEABLE = ("published", "delivered")  # a week is invoiced once its plan is out to the consumers


def _check_invoiceable(week: Week) -> None:
    if week.state not in INVOICEABLE:
        raise Conflict(f"Week {week.iso_week} is {week.state}: invoices come once it is published.",
                       f"La semaine {week.iso_week} n'est pas encore publiée : on facture une semaine publiée "
                       "ou livrée.", "week")


@dataclass
class WeekRun:
    """What `issue_week` did (the CLI prints it; a second run finds everything done)."""

    week: str
    issued: list[str] = field(default_factory=list)
    credit_notes: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (canteen, French reason)
    basket_entries: int = 0
    supply_entries: int = 0


# --------------------------------------------------------------------------- reading


def products(session: Session) -> dict[str, I.ProductInfo]:
    return {p.id: I.ProductInfo(p.name, p.unit, p.vat_rate) for p in session.exec(select(Product))}


def supplied(session: Session, week: Week) -> tuple[DL.Supplied, ...]:
    """The week's allocations with what was delivered of each (or planned, unconfirmed)."""
    plan = planning.week_plan(planning.require_plan(session, week))
    return DL.supplied(plan, delivery.week_report(session, week))


def lines_of(row: Invoice) -> tuple[I.InvoiceLine, ...]:
    return tuple(I.InvoiceLine.from_dict(d) for d in row.lines)


def get_invoice(session: Session, invoice_id: int) -> Invoice:
    row = session.get(Invoice, invoice_id)
    if row is None:
        raise NotFound(f"Invoice {invoice_id} not found.", "Facture introuvable.", "invoice_id")
    return row


def list_invoices(session: Session, territory_id: str, week: str | None = None, site: str | None = None
                  ) -> list[Invoice]:
    query = select(Invoice).where(Invoice.territory_id == territory_id)
    if week:
        query = query.where(Invoice.week_id == find_week(session, week, territory_id).id)
    if site:
        query = query.where(Invoice.site_id == site)
    return list(session.exec(query.order_by(Invoice.id)))


def _credit_notes(session: Session, invoice: Invoice) -> list[Invoice]:
    return list(session.exec(select(Invoice).where(Invoice.credits_id == invoice.id).order_by(Invoice.id)))


def credited_of(session: Session, invoice: Invoice) -> dict:
    return I.credited(lines_of(cn) for cn in _credit_notes(session, invoice) if cn.status == "issued")


# --------------------------------------------------------------------------- buyer and seller


def buyer_of(session: Session, canteen: Site) -> dict:
    """Who the invoice is addressed to: the canteen's paying body (Chorus Pro ids), else the canteen."""
    if not canteen.siret:
        raise InvalidInput(f"Canteen {canteen.id} has no SIRET: a public buyer is invoiced by SIRET.",
                           f"La cantine « {canteen.name} » n'a pas de SIRET : une facture à un acheteur public "
                           "(Chorus Pro) le demande. Renseignez-le sur la cantine.", "siret")
    link = session.get(CanteenPayer, canteen.id)
    body = session.get(PayingBody, link.paying_body_id) if link else None
    if body is None:
        return {"name": canteen.name, "siret": canteen.siret, "address": canteen.address or "", "postcode": "",
                "city": canteen.commune or "", "service_code": "", "commitment_number": "", "paying_body_id": None}
    return {"name": body.name, "siret": body.siret, "address": body.address or "", "postcode": body.postcode or "",
            "city": body.city or "", "service_code": body.service_code or "",
            "commitment_number": body.commitment_number or "", "paying_body_id": body.id}


def seller_of(session: Session, territory_id: str) -> dict:
    terr = session.get(Territory, territory_id)
    seller = dict(ledger.settings(session, territory_id).seller or {})
    seller.setdefault("name", terr.name if terr else territory_id)
    return seller


# --------------------------------------------------------------------------- invoices


def _canteen(session: Session, site_id: str) -> Site:
    site = session.get(Site, site_id)
    if site is None or site.kind != "canteen":
        raise NotFound(f"Unknown canteen {site_id!r}.", f"Cantine inconnue : {site_id}.", "site")
    return site


def _basis(lines: tuple[I.InvoiceLine, ...]) -> str:
    bases = {ln.basis for ln in lines}
    return bases.pop() if len(bases) == 1 else "mixed"


def _set_lines(row: Invoice, lines: tuple[I.InvoiceLine, ...]) -> None:
    t = I.totals(lines)
    row.lines = [ln.to_dict() for ln in lines]
    row.net_cents, row.vat_cents, row.gross_cents = (ledger.to_cents(t.net), ledger.to_cents(t.vat),
                                                     ledger.to_cents(t.gross))
    row.basis = _basis(lines)


def _the_invoice(session: Session, week: Week, site_id: str) -> Invoice | None:
    return session.exec(select(Invoice).where(Invoice.week_id == week.id, Invoice.site_id == site_id,
                                              Invoice.kind == "invoice")).first()


def prepare_invoice(session: Session, week: Week, site_id: str) -> Invoice:
    """The canteen's draft invoice of the week (made, or refreshed from the deliveries)."""
    _check_invoiceable(week)
    canteen = _canteen(session, site_id)
    buyer = buyer_of(session, canteen)
    row = _the_invoice(session, week, site_id)
    if row is not None and row.status == "issued":
        raise Conflict(f"Invoice {row.number} is already issued; make a credit note to correct it.",
                       f"La facture {row.number} est déjà émise : elle ne change plus (faites un avoir).", "invoice_id")
    lines = I.invoice_lines(supplied(session, week), site_id, products(session))
    if not lines:
        raise Conflict(f"Nothing delivered to {site_id} in {week.iso_week}.",
                       f"Rien de livré à « {canteen.name} » en semaine {week.iso_week} : pas de facture.", "site")
    if row is None:
        row = Invoice(territory_id=week.territory_id, week_id=week.id, site_id=site_id, created_at=datetime.now(UTC))
    row.buyer = {**buyer, "ship_to": canteen.name, "ship_to_address": ", ".join(
        x for x in (canteen.address, canteen.commune) if x)}
    _set_lines(row, lines)
    session.add(row)
    session.flush()
    return row


def _take_number(session: Session, territory_id: str, year: int, kind: str) -> str:
    series = numbering.SERIES[kind]
    seq = session.exec(select(InvoiceSequence).where(
        InvoiceSequence.territory_id == territory_id, InvoiceSequence.year == year,
        InvoiceSequence.series == series).with_for_update()).first()
    if seq is None:
        seq = InvoiceSequence(territory_id=territory_id, year=year, series=series, last=0)
    seq.last += 1
    session.add(seq)
    session.flush()
    return numbering.format_number(kind, territory_id, year, seq.last)


def issue_invoice(session: Session, invoice_id: int, actor: str, today: date | None = None) -> Invoice:
    """Number the draft, freeze it and post it to the ledger; an issued one is refused (409)."""
    row = get_invoice(session, invoice_id)
    if row.status == "issued":
        raise Conflict(f"Invoice {row.number} is already issued.",
                       f"La facture {row.number} est déjà émise : on n'émet une facture qu'une fois.", "invoice_id")
    day = today or ledger.today()
    row.seller = seller_of(session, row.territory_id)
    row.number = _take_number(session, row.territory_id, day.year, row.kind)
    row.status, row.issued_on, row.issued_at, row.issued_by = "issued", day, datetime.now(UTC), actor
    session.add(row)
    session.flush()
    ledger.post(session, row.territory_id, postings.invoice(
        day, row.number, row.site_id, row.buyer.get("name", row.site_id), I.totals(lines_of(row)), row.id,
        credit_note=row.kind == "credit_note"), actor)
    return row


def _credit_note(session: Session, invoice: Invoice, lines: tuple[I.InvoiceLine, ...], reason: str,
                 actor: str, today: date | None) -> Invoice:
    note = Invoice(territory_id=invoice.territory_id, week_id=invoice.week_id, site_id=invoice.site_id,
                   kind="credit_note", credits_id=invoice.id, buyer=dict(invoice.buyer), reason=reason[:300],
                   created_at=datetime.now(UTC))
    _set_lines(note, lines)
    session.add(note)
    session.flush()
    return issue_invoice(session, note.id, actor, today)


def create_credit_note(session: Session, invoice_id: int, data: dict, actor: str, today: date | None = None
                       ) -> Invoice:
    """A credit note a coordinator asks for: named lines, each at most what is left to credit."""
    invoice = get_invoice(session, invoice_id)
    if invoice.kind != "invoice" or invoice.status != "issued":
        raise Conflict("Only an issued invoice is credited.", "Seule une facture émise peut recevoir un avoir.",
                       "invoice_id")
    lines = I.requested_credit(lines_of(invoice), credited_of(session, invoice), data.get("lines") or [])
    return _credit_note(session, invoice, lines, data.get("reason") or "avoir", actor, today)


def issue_week(session: Session, week: Week, actor: str, today: date | None = None) -> WeekRun:
    """Issue the week's invoices (canteens not invoiced yet), the credit notes the confirmations call
    for, the households' basket charges and the producers' supplies. Running it again does only
    what changed since (nothing, when nothing did)."""
    from app.services import member_accounts, statements  # (they post their own parts of the week)

    _check_invoiceable(week)
    run = WeekRun(week.iso_week)
    rows = supplied(session, week)
    canteens = sorted({s.consumer for s in rows if s.consumer_kind == "canteen"})
    for site_id in canteens:
        existing = _the_invoice(session, week, site_id)
        if existing is not None and existing.status == "issued":
            now = [s for s in rows if s.consumer == site_id]
            credit = I.shortfall_credit(lines_of(existing), now, credited_of(session, existing))
            if credit:
                note = _credit_note(session, existing, credit, "écart constaté à la livraison (manquant ou refus)",
                                    actor, today)
                run.credit_notes.append(note.number)
            else:
                run.already.append(existing.number)
            continue
        try:
            with session.begin_nested():
                draft = prepare_invoice(session, week, site_id)
        except (InvalidInput, Conflict) as exc:
            run.refused.append((site_id, exc.detail_fr))
            continue
        run.issued.append(issue_invoice(session, draft.id, actor, today).number)
    run.basket_entries = member_accounts.charge_week(session, week, actor, today)
    run.supply_entries = statements.post_supplies(session, week, rows, actor, today)
    return run


# --------------------------------------------------------------------------- documents and exports


def invoice_document(session: Session, row: Invoice) -> InvoiceDocument:
    if row.status != "issued":
        raise Conflict("A draft has no PDF: issue it first.", "Un brouillon n'a pas de PDF : émettez la facture.",
                       "invoice_id")
    seller, buyer = row.seller or {}, row.buyer or {}
    producers = {s.id: s.name for s in session.exec(select(Site).where(Site.kind == "producer"))}
    credits = session.get(Invoice, row.credits_id).number if row.credits_id else ""
    week = session.get(Week, row.week_id)
    return document(
        row.number, row.kind, row.issued_on,
        Party(seller.get("name", ""), seller.get("siren", ""), seller.get("vat_id", ""), seller.get("address", ""),
              seller.get("postcode", ""), seller.get("city", ""), seller.get("iban", "")),
        Party(buyer.get("name", ""), buyer.get("siret", ""), "", buyer.get("address", ""), buyer.get("postcode", ""),
              buyer.get("city", ""), "", buyer.get("service_code", ""), buyer.get("commitment_number", "")),
        lines_of(row), producers, week=week.iso_week if week else "", ship_to=buyer.get("ship_to", ""),
        ship_to_address=buyer.get("ship_to_address", ""), due_on=row.issued_on + timedelta(days=PAYMENT_DAYS),
        credits=credits, reason=row.reason or "")


def invoice_pdf(session: Session, invoice_id: int) -> tuple[str, bytes]:
    row = get_invoice(session, invoice_id)
    return f"{row.number or row.id}.pdf", render_invoice_pdf(invoice_document(session, row))


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput("year: four digits (2000–2100).", "Année attendue sur quatre chiffres.", "year")
    return year


def fec(session: Session, territory_id: str, year: int) -> tuple[str, str]:
    """(file name, text) of the year's FEC."""
    seller = seller_of(session, territory_id)
    rows = F.rows(ledger.entries(session, territory_id, year=_year(year)), year)
    siren = (seller.get("siren") or "000000000")[:9]
    return F.filename(siren, date(year, 12, 31)), F.to_text(rows)


def invoices_csv(session: Session, territory_id: str, year: int) -> str:
    rows = session.exec(select(Invoice).where(Invoice.territory_id == territory_id, Invoice.status == "issued",
                                              col(Invoice.issued_on) >= date(_year(year), 1, 1),
                                              col(Invoice.issued_on) <= date(year, 12, 31)).order_by(Invoice.id))
    numbers = {}
    out = []
    weeks = {w.id: w.iso_week for w in session.exec(select(Week).where(Week.territory_id == territory_id))}
    for r in rows:
        numbers[r.id] = r.number
        out.append(F.InvoiceRow(r.number, r.kind, r.issued_on, r.buyer.get("name", ""), r.buyer.get("siret", ""),
                                weeks.get(r.week_id, ""), ledger.from_cents(r.net_cents),
                                ledger.from_cents(r.vat_cents), ledger.from_cents(r.gross_cents), r.basis,
                                numbers.get(r.credits_id, "") if r.credits_id else ""))
    return F.invoices_csv(out)


def gross_total(rows: list[Invoice]):
    return sum((ledger.from_cents(r.gross_cents) * (-1 if r.kind == "credit_note" else 1) for r in rows), ZERO)
