"""The SQLModel tables, one module per group; every table is registered on SQLModel's metadata by
importing this package (Alembic compares that metadata against the migrations).

* `market`: territory, sites, catalogue, fleet, weeks, offers and orders;
* `users`: users, API tokens and the audit trail;
* `plans`: stored plan versions, rounds and their stops;
* `alerts`: what the coordinator must hear about, until resolved;
* `corrections`: the coordinator's pins and round locks;
* `delivery`: drivers' confirmations of their stops;
* `cycle`: what the scheduler did and the notifications it sent;
* `trust`: stored answers of idempotent POSTs;
* `jobs`: long work run by the task queue (state, progress, result, lease);
* `members`: households at relay points, their subscriptions, pauses, slots and collections;
* `billing`: the ledger (EUR and MANNE), invoices and credit notes, paying bodies, payments, gardens.

The pure packages (`orders/`, `routing/`, `reports/`) never import these: they read and write the
typed week (`orders.scenario`), which `app/services/scenario.py` maps to and from these rows.
"""
from app.models.alerts import ALERT_KINDS, Alert
from app.models.billing import (
    BillingSettings,
    CanteenPayer,
    Garden,
    GardenContribution,
    Invoice,
    InvoiceSequence,
    LedgerEntry,
    LedgerLine,
    PayingBody,
    Payment,
)
from app.models.corrections import AllocationPin, RoundLock
from app.models.cycle import JOB_OUTCOMES, NOTIFICATION_STATUSES, JobRun, Notification
from app.models.delivery import Confirmation
from app.models.jobs import FINISHED_STATES, JOB_KINDS, JOB_STATES, Job
from app.models.market import (
    BasketOrder,
    BasketType,
    Grammage,
    MealOrder,
    Offer,
    Product,
    Site,
    Territory,
    Vehicle,
    Week,
    WeekEvent,
)
from app.models.members import (
    MEMBER_STATUSES,
    SUBSCRIPTION_STATUSES,
    Collection,
    ExtraBasket,
    Member,
    Pause,
    PickupSlot,
    RelayMembership,
    Subscription,
)
from app.models.plans import Plan, Round, RoundStop
from app.models.trust import IdempotencyRecord
from app.models.users import ROLES, ApiToken, AuditEntry, User

__all__ = [
    "ALERT_KINDS", "Alert",
    "AllocationPin", "Confirmation", "RoundLock",
    "FINISHED_STATES", "JOB_KINDS", "JOB_OUTCOMES", "JOB_STATES", "Job", "NOTIFICATION_STATUSES", "ROLES", "ApiToken", "AuditEntry", "BasketOrder", "BasketType", "Grammage", "IdempotencyRecord",
    "JobRun", "MealOrder", "Notification", "Offer", "Plan", "Product", "Round", "RoundStop", "Site",
    "Territory", "User", "Vehicle", "Week", "WeekEvent",
    "MEMBER_STATUSES", "SUBSCRIPTION_STATUSES", "Collection", "ExtraBasket", "Member", "Pause", "PickupSlot",
    "RelayMembership", "Subscription",
    "BillingSettings", "CanteenPayer", "Garden", "GardenContribution", "Invoice", "InvoiceSequence", "LedgerEntry",
    "LedgerLine", "PayingBody", "Payment",
]
