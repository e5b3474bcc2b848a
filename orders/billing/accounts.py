"""The chart of accounts and the journals (French Plan comptable général numbers, as the FEC wants).

EUR accounts are the collective's books; MANNE accounts are the local currency's own book (the
wallets of members and the collective's issue and receipts), never mixed in one entry. An account
is a number plus, for third parties, an auxiliary (`CompAuxNum` in the FEC): the canteen's site
id, `ADH<member id>` for a household, the producer's site id.
"""
from __future__ import annotations

from dataclasses import dataclass

from orders.billing.money import EUR, MANNE

# EUR (Plan comptable général)
CUSTOMERS = "411"  # clients: canteens (aux = site id) and households (aux = ADH<id>)
SUPPLIERS = "401"  # fournisseurs: producers (aux = site id)
SALES = "707"  # ventes de marchandises
COMMISSIONS = "706"  # prestations de services: the collective's commission on producers' sales
PURCHASES = "607"  # achats de marchandises
VAT_COLLECTED = "44571"  # TVA collectée
MANNE_DUE = "4191"  # MANNE owed to members (issued for gardens, not yet spent), valued in euros
GARDENS = "6132"  # locations: gardens lent to the collective, paid in MANNE
CASH = "530"  # caisse
CARDS = "5112"  # cartes bancaires à encaisser
BANK = "512"  # banque (virements)

# MANNE (the currency's own book)
WALLET = "M-PORTEFEUILLE"  # a member's MANNE (aux = ADH<id>)
ISSUED = "M-EMISSION"  # MANNE issued by the collective (garden credits)
RECEIVED = "M-RECUE"  # MANNE the collective received in payment

LABELS = {
    CUSTOMERS: "Clients", SUPPLIERS: "Fournisseurs", SALES: "Ventes de marchandises",
    COMMISSIONS: "Commissions sur ventes des producteurs", PURCHASES: "Achats de marchandises",
    VAT_COLLECTED: "TVA collectée", MANNE_DUE: "MANNE due aux adhérents",
    GARDENS: "Jardins prêtés au collectif", CASH: "Caisse", CARDS: "Cartes bancaires à encaisser",
    BANK: "Banque", WALLET: "Portefeuille MANNE", ISSUED: "MANNE émise", RECEIVED: "MANNE reçue",
}
UNIT_OF = {WALLET: MANNE, ISSUED: MANNE, RECEIVED: MANNE}

PAYMENT_METHODS = ("cash", "card", "transfer", "manne")
METHOD_ACCOUNT = {"cash": CASH, "card": CARDS, "transfer": BANK}
METHODS_FR = {"cash": "espèces", "card": "carte", "transfer": "virement", "manne": "MANNE"}

# journals (JournalCode, JournalLib)
JOURNALS = {"VE": "Ventes", "AC": "Achats", "CA": "Caisse", "BQ": "Banque", "OD": "Opérations diverses"}


def unit_of(account: str) -> str:
    return UNIT_OF.get(account, EUR)


def member_aux(member_id: int) -> str:
    return f"ADH{member_id}"


@dataclass(frozen=True, slots=True)
class Account:
    number: str
    aux: str = ""

    @property
    def unit(self) -> str:
        return unit_of(self.number)

    @property
    def label(self) -> str:
        return LABELS.get(self.number, self.number)
