"""Relevé d'un producteur: what it supplied over a week or a month, × its price, less the
collective's commission (the figures of `orders.billing.statements.Statement`)."""
from __future__ import annotations

from orders.billing.statements import Statement
from reports.formatting import month
from reports.render import html_to_pdf, render_html


def period_fr(period: str) -> str:
    """`2026-W49` → « semaine 49 de 2026 », `2026-12` → « décembre 2026 »."""
    if "-W" in period:
        year, week = period.split("-W")
        return f"semaine {int(week)} de {year}"
    return f"{month(period + '-01')} {period[:4]}"


def render_statement_html(statement: Statement) -> str:
    return render_html("statement.html", st=statement, period=period_fr(statement.period),
                       title=f"Relevé {statement.producer_name} {statement.period}")


def render_statement_pdf(statement: Statement) -> bytes:
    return html_to_pdf(render_statement_html(statement))
