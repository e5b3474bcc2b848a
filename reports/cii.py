"""The Cross Industry Invoice XML (UN/CEFACT CII D16B) of an invoice, EN 16931 profile of Factur-X.

Built from the same view model the PDF prints (`reports.invoice.InvoiceDocument`), so the XML's
line amounts, VAT breakdown and totals are the printed ones. French public buyers (Chorus Pro):
the buyer's SIRET as its legal id (scheme 0009), the service code as the buyer reference (BT-10)
and the commitment number as the purchase order reference (BT-13).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:  # pragma: no cover
    from reports.invoice import InvoiceDocument, Party

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
EN16931 = "urn:cen.eu:en16931:2017"
TYPE_CODES = {"invoice": "380", "credit_note": "381"}
UNIT_CODES = {"kg": "KGM", "g": "GRM", "l": "LTR", "piece": "H87", "bunch": "H87", "dozen": "DZN"}

for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)


def _q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, _q(tag), attrs)
    if text is not None:
        node.text = text
    return node


def _date(parent: ET.Element, tag: str, day) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _plain(value: float | Decimal, places: int = 4) -> str:
    text = f"{Decimal(str(value)):.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


def _party(parent: ET.Element, tag: str, party: Party, legal_scheme: str) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", party.name)
    if party.legal_id:
        _el(_el(node, "ram:SpecifiedLegalOrganization"), "ram:ID", party.legal_id, schemeID=legal_scheme)
    address = _el(node, "ram:PostalTradeAddress")
    if party.postcode:
        _el(address, "ram:PostcodeCode", party.postcode)
    if party.address:
        _el(address, "ram:LineOne", party.address)
    if party.city:
        _el(address, "ram:CityName", party.city)
    _el(address, "ram:CountryID", "FR")
    if party.vat_id:
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def cii_xml(doc: InvoiceDocument) -> bytes:
    """The CII XML bytes (UTF-8, with declaration) of `doc`."""
    root = ET.Element(_q("rsm:CrossIndustryInvoice"))
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    header = _el(root, "rsm:ExchangedDocument")
    _el(header, "ram:ID", doc.number)
    _el(header, "ram:TypeCode", TYPE_CODES[doc.kind])
    _date(header, "ram:IssueDateTime", doc.issued_on)
    for note in doc.notes:
        _el(_el(header, "ram:IncludedNote"), "ram:Content", note)

    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    for n, ln in enumerate(doc.lines, start=1):
        item = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(n))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", ln.label)
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _plain(ln.unit_price))
        _el(_el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", _plain(ln.quantity),
            unitCode=UNIT_CODES.get(ln.unit, "H87"))
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", _plain(ln.vat_rate, 2))
        _el(_el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
            _amount(ln.net))

    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    if doc.buyer.service_code:
        _el(agreement, "ram:BuyerReference", doc.buyer.service_code)
    _party(agreement, "ram:SellerTradeParty", doc.seller, "0002")
    _party(agreement, "ram:BuyerTradeParty", doc.buyer, "0009")
    if doc.buyer.commitment_number:
        _el(_el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", doc.buyer.commitment_number)

    delivery = _el(trade, "ram:ApplicableHeaderTradeDelivery")
    if doc.ship_to:
        _el(_el(delivery, "ram:ShipToTradeParty"), "ram:Name", doc.ship_to)
    if doc.delivered_on:
        _date(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", doc.delivered_on)

    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    if doc.seller.iban:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", "58")  # SEPA credit transfer
        _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", doc.seller.iban)
    for b in doc.totals.breakdown:
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _amount(b.vat))
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:BasisAmount", _amount(b.base))
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", _plain(b.rate, 2))
    if doc.due_on:
        _date(_el(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:DueDateDateTime", doc.due_on)
    sums = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(sums, "ram:LineTotalAmount", _amount(doc.totals.net))
    _el(sums, "ram:TaxBasisTotalAmount", _amount(doc.totals.net))
    _el(sums, "ram:TaxTotalAmount", _amount(doc.totals.vat), currencyID="EUR")
    _el(sums, "ram:GrandTotalAmount", _amount(doc.totals.gross))
    _el(sums, "ram:DuePayableAmount", _amount(doc.totals.gross))
    if doc.credits:
        ref = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(ref, "ram:IssuerAssignedID", doc.credits)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
