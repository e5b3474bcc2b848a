"""Benchmark the money documents: ``python -m bench.billing`` prints JSON.

* ``invoice_s`` — one 40-line Factur-X invoice: PDF/A-3b page, CII XML, XSD check and embedding
  (median of a few renders); ``plain_pdf_s`` the same page as a plain PDF, and their ratio (what
  PDF/A and Factur-X cost on top of WeasyPrint);
* ``cii_xml_s`` and ``xsd_check_s`` — writing the XML alone, and the factur-x library's schema check;
* ``fec_rows_per_s`` — FEC rows written per second from 20 000 synthetic entries.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal

from orders.billing import fec, ledger, postings
from orders.billing.invoicing import InvoiceLine
from reports.cii import cii_xml
from reports.invoice import Party, document, render_invoice_html, render_invoice_pdf
from reports.render import html_to_pdf


def _invoice():
    lines = [InvoiceLine((date(2026, 11, 30) + timedelta(days=i % 5)).isoformat(), f"p{i}", f"f{i % 5}",
                         round(2.5 + i * 0.75, 3), round(0.8 + (i % 7) * 0.35, 2), 5.5, f"Produit n° {i}",
                         "kg", "plan" if i % 4 == 0 else "delivered") for i in range(40)]
    seller = Party("Collectif (banc d'essai)", "999997000", "FR38999997000", "1 rue de la Fosse", "62750",
                   "Loos-en-Gohelle", "FR7630006000011234567890189")
    buyer = Party("Commune (banc d'essai)", "99999800100005", "", "Place de la République", "62750",
                  "Loos-en-Gohelle", "", "RESTO", "ENG-1")
    return document("FA-BENCH-2026-00001", "invoice", date(2026, 12, 4), seller, buyer, lines,
                    {f"f{i}": f"Ferme {i}" for i in range(5)}, week="2026-W49", ship_to="École")


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import facturx

    doc = _invoice()
    html = render_invoice_html(doc)
    render_invoice_pdf(doc)  # warm the stylesheet and fonts
    invoice_s = _median(lambda: render_invoice_pdf(doc), args.repeat)
    plain_s = _median(lambda: html_to_pdf(html), args.repeat)
    xml = cii_xml(doc)
    entries = []
    for i in range(5000):
        day = date(2026, 1, 1) + timedelta(days=i % 365)
        entries += postings.payment(day, i % 300, "m", "cash", Decimal("12.50"), i)
        entries += postings.garden_credit(day, i % 300, "m", Decimal("3"), "jardin", i)
        entries.append(postings.basket_charge(day, i % 300, "m", Decimal("12.50"), 5.5, "b", str(i)))
    entries = [ledger.Entry(**{**{f: getattr(e, f) for f in e.__slots__}, "id": n}) for n, e in enumerate(entries, 1)]
    start = time.perf_counter()
    rows = fec.rows(entries, 2026)
    fec.to_text(rows)
    fec_s = time.perf_counter() - start
    print(json.dumps({
        "bench": "billing", "python": platform.python_version(), "repeat": args.repeat,
        "invoice_lines": len(doc.lines), "invoice_s": round(invoice_s, 4), "plain_pdf_s": round(plain_s, 4),
        "facturx_over_plain": round(invoice_s / plain_s, 2),
        "cii_xml_s": round(_median(lambda: cii_xml(doc), args.repeat), 5),
        "xsd_check_s": round(_median(lambda: facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931"),
                                     args.repeat), 5),
        "fec_entries": len(entries), "fec_rows": len(rows), "fec_rows_per_s": round(len(rows) / fec_s),
    }, indent=2))


if __name__ == "__main__":
    main()
