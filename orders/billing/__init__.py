"""Money, as pure rules: the double-entry ledger in euros and MANNE, invoice numbering, VAT,
invoices and credit notes from delivered quantities, members' basket charges and payments, the
MANNE and its garden credits, producers' statements with the collective's commission, and the FEC.

No database and no framework here: `app/services/billing.py` reads the rows, calls these rules and
stores what they return. Money is `decimal.Decimal`, rounded to the cent half up (`money.cents`);
MANNE amounts too (1 MANNE = 1 € unless the territory sets another rate). See docs/money.md.
"""
