"""`flask demo` loads the money of the demo: the seller and the canteens' paying bodies (fictional,
marked), and a household's garden credit in MANNE with a MANNE payment."""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from app.db import get_session
from app.interop.macantine import luhn_valid
from app.models import CanteenPayer, Garden, PayingBody, Site
from app.services import member_accounts
from app.services.billing_settings import DEMO_PAYING_BODIES


def test_the_demo_has_paying_bodies_and_a_garden_credit_spent_in_manne(app, runner):
    result = runner.invoke(args=["demo"], env={"TERRIL_DEMO_PASSWORD": "mot-de-passe-demo"})
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = get_session()
        bodies = session.exec(select(PayingBody)).all()
        assert len(bodies) == len(DEMO_PAYING_BODIES) and all(b.demo and "(démo)" in b.name for b in bodies)
        assert all(luhn_valid(b.siret) for b in bodies)
        canteens = {s.id for s in session.exec(select(Site).where(Site.kind == "canteen"))}
        linked = {link.canteen_id for link in session.exec(select(CanteenPayer))}
        assert linked and linked <= canteens
        garden = session.exec(select(Garden)).one()
        from app.models import Member

        balance, _ = member_accounts.balance(session, session.get(Member, garden.member_id))
        assert balance.manne == Decimal("7.00")  # 120 m² × 0,10 MANNE a month, 5 spent
        assert balance.eur == Decimal("5.00")
    again = runner.invoke(args=["demo"], env={"TERRIL_DEMO_PASSWORD": "mot-de-passe-demo"})
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert len(get_session().exec(select(Garden)).all()) == 1
