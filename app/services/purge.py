"""Forget what is no longer needed: expired idempotency records and superseded caches.

* `IdempotencyRecord`s older than `TERRIL_IDEMPOTENCY_KEEP_HOURS` (a retry comes within minutes;
  a day is plenty);
* PDF folders (`TERRIL_DOCUMENTS_DIR/<territory>/<week>/v<N>/`) of plan versions that are no
  longer current, last written more than `TERRIL_CACHE_KEEP_DAYS` days ago (the current version of
  every week is kept, whatever its age: a re-print must give the same bytes);
* distance-matrix files (`<instance>/matrices/*.json`) written more than `TERRIL_CACHE_KEEP_DAYS`
  days ago (recomputed if ever needed).

Run every night by the scheduler (app/scheduler.py, job `terril-purge`) and by hand with
`flask --app wsgi purge`. The caller owns the transaction.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from app import idempotency
from app.services import documents
from routing.matrix import purge_cache as purge_matrices

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeSettings:
    documents_dir: Path
    matrices_dir: Path
    idempotency_keep: timedelta = timedelta(hours=24)
    cache_keep: timedelta = timedelta(days=14)

    @classmethod
    def from_app(cls, app) -> PurgeSettings:
        config = app.config
        return cls(documents_dir=Path(config["TERRIL_DOCUMENTS_DIR"]),
                   matrices_dir=Path(app.instance_path) / "matrices",
                   idempotency_keep=timedelta(hours=float(config["TERRIL_IDEMPOTENCY_KEEP_HOURS"])),
                   cache_keep=timedelta(days=float(config["TERRIL_CACHE_KEEP_DAYS"])))


@dataclass(frozen=True, slots=True)
class PurgeReport:
    idempotency_records: int
    document_folders: tuple[Path, ...]
    matrix_files: tuple[Path, ...]

    def summary_fr(self) -> str:
        return (f"{self.idempotency_records} clés d'idempotence expirées, "
                f"{len(self.document_folders)} dossiers de PDF de versions remplacées, "
                f"{len(self.matrix_files)} matrices de distances supprimés.")


def purge(session: Session, now: datetime, settings: PurgeSettings) -> PurgeReport:
    """Delete the expired rows (in `session`, not committed) and the superseded cache files."""
    records = idempotency.purge(session, now - settings.idempotency_keep)
    cutoff = (now - settings.cache_keep).timestamp()
    folders = documents.purge_cache(session, settings.documents_dir, cutoff)
    matrices = purge_matrices(settings.matrices_dir, cutoff)
    log.info("purge idempotency=%s document_folders=%s matrix_files=%s", records, len(folders), len(matrices))
    return PurgeReport(records, tuple(folders), tuple(matrices))
