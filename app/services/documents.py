"""The week's documents: build the view models from the stored plan and render them, with a cache.

Documents are rendered from the current plan version and cached as files under
`TERRIL_DOCUMENTS_DIR/<territory>/<week>/v<version>/`; a new plan version has a new folder, so a
re-plan regenerates them and a re-print of the same version returns the very same bytes.
`write_week` renders everything at publication.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from app.models import Plan, Site, Week
from app.services.scenario import export_scenario
from orders.errors import NotFound
from reports import delivery_note, pick_list, route_sheet, summary
from reports.from_plan import catalogues_from_scenario, documents_from_plan


@dataclass(frozen=True)
class Document:
    """One document of the plan: its file name and how to render it (lazily: a PDF served from the
    cache renders nothing, an HTML preview renders no PDF)."""

    filename: str
    render_html: Callable[[], str]
    render_pdf: Callable[[], bytes]


def _documents(session: Session, week: Week, plan: Plan):
    catalogues = catalogues_from_scenario(export_scenario(session, week))
    return documents_from_plan(plan.plan, catalogues)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)


def _not_found(what: str, what_fr: str):
    return NotFound(f"No {what} in the current plan.", f"Aucun {what_fr} dans le plan en cours.", "id")


def route_sheet_doc(session: Session, week: Week, plan: Plan, day: str, vehicle: str) -> Document:
    sheets = [s for s in _documents(session, week, plan).route_sheets if s.day == day and s.vehicle == vehicle]
    if not sheets:
        raise _not_found("route sheet", "feuille de route")
    sheet = sheets[0]
    return Document(f"feuille-de-route-{day}-{_safe(vehicle)}.pdf", lambda: route_sheet.render_route_sheet_html(sheet),
                    lambda: route_sheet.render_route_sheet_pdf(sheet))


def day_sheets_doc(session: Session, week: Week, plan: Plan, day: str) -> Document:
    sheets = _documents(session, week, plan).route_sheets_by_day().get(day)
    if not sheets:
        raise _not_found("round on that day", "tournée ce jour-là")
    return Document(f"feuilles-de-route-{day}.pdf", lambda: route_sheet.render_day_sheets_html(sheets),
                    lambda: route_sheet.render_day_sheets_pdf(sheets))


def pick_list_doc(session: Session, week: Week, plan: Plan, producer: Site) -> Document:
    lists = [p for p in _documents(session, week, plan).pick_lists if p.producer == producer.name]
    if not lists:
        raise _not_found("pick list for this producer", "bon de préparation pour ce producteur")
    return Document(f"bon-de-preparation-{_safe(producer.id)}-{week.iso_week}.pdf",
                    lambda: pick_list.render_pick_lists_html(lists), lambda: pick_list.render_pick_lists_pdf(lists))


def delivery_note_doc(session: Session, week: Week, plan: Plan, site: Site) -> Document:
    notes = [n for n in _documents(session, week, plan).delivery_notes if n.recipient == site.name]
    if not notes:
        raise _not_found("delivery for this site", "livraison pour ce site")
    return Document(f"bon-de-livraison-{_safe(site.id)}-{week.iso_week}.pdf",
                    lambda: delivery_note.render_delivery_notes_html(notes),
                    lambda: delivery_note.render_delivery_notes_pdf(notes))


def summary_doc(session: Session, week: Week, plan: Plan) -> Document:
    view = _documents(session, week, plan).summary
    return Document(f"synthese-{week.iso_week}.pdf", lambda: summary.render_summary_html(view),
                    lambda: summary.render_summary_pdf(view))


def cache_dir(week: Week, plan: Plan, root: Path | None = None) -> Path:
    root = root or Path(current_app.config["TERRIL_DOCUMENTS_DIR"])
    return root / _safe(week.territory_id) / week.iso_week / f"v{plan.version}"


def pdf_bytes(week: Week, plan: Plan, doc: Document) -> bytes:
    """The PDF from the cache of this plan version, rendered and stored on first use."""
    path = cache_dir(week, plan) / doc.filename
    if path.exists():
        return path.read_bytes()
    data = doc.render_pdf()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data


def write_week(session: Session, week: Week, plan: Plan, root: Path) -> list[Path]:
    """Render every document of the week into `root` (publication, CLI `documents`)."""
    site_ids = {s.name: s.id for s in session.exec(select(Site)).all()}
    return render_set(_documents(session, week, plan), cache_dir(week, plan, root), week.iso_week, site_ids)


@dataclass(frozen=True)
class DocumentFile:
    """One PDF of a week's set: its file name, what it is (`kind`, `key`: what the API addresses it
    by) and how to render it. A publication renders these one by one, in parallel tasks."""

    filename: str
    kind: str  # route_sheet (day, vehicle) | day_sheets (day,) | pick_list (site,) | delivery_note (site,) | summary ()
    key: tuple
    render_pdf: Callable[[], bytes]


def document_files(docs, iso_week: str, site_ids: dict[str, str] | None = None) -> list[DocumentFile]:
    """Every PDF of a DocumentSet: one per round, per day, per producer, per site, the summary."""
    site_ids = site_ids or {}
    out: list[DocumentFile] = []
    for sheet in docs.route_sheets:
        out.append(DocumentFile(f"feuille-de-route-{sheet.day}-{_safe(sheet.vehicle)}.pdf", "route_sheet",
                                (sheet.day, sheet.vehicle), lambda s=sheet: route_sheet.render_route_sheet_pdf(s)))
    for day, sheets in docs.route_sheets_by_day().items():
        out.append(DocumentFile(f"feuilles-de-route-{day}.pdf", "day_sheets", (day,),
                                lambda s=sheets: route_sheet.render_day_sheets_pdf(s)))
    by_producer: dict[str, list] = {}
    for item in docs.pick_lists:
        by_producer.setdefault(item.producer, []).append(item)
    for name, lists in by_producer.items():
        site = site_ids.get(name, name)
        out.append(DocumentFile(f"bon-de-preparation-{_safe(site)}-{iso_week}.pdf", "pick_list", (site,),
                                lambda v=lists: pick_list.render_pick_lists_pdf(v)))
    by_site: dict[str, list] = {}
    for note in docs.delivery_notes:
        by_site.setdefault(note.recipient, []).append(note)
    for name, notes in by_site.items():
        site = site_ids.get(name, name)
        out.append(DocumentFile(f"bon-de-livraison-{_safe(site)}-{iso_week}.pdf", "delivery_note", (site,),
                                lambda v=notes: delivery_note.render_delivery_notes_pdf(v)))
    out.append(DocumentFile(f"synthese-{iso_week}.pdf", "summary", (),
                            lambda: summary.render_summary_pdf(docs.summary)))
    return out


def week_document_files(session: Session, week: Week, plan: Plan) -> list[DocumentFile]:
    """The PDFs of a week's plan version (what a publication renders, in parts: `app/jobs/`)."""
    site_ids = {s.name: s.id for s in session.exec(select(Site)).all()}
    return document_files(_documents(session, week, plan), week.iso_week, site_ids)


def render_set(docs, out_dir: Path, iso_week: str, site_ids: dict[str, str] | None = None) -> list[Path]:
    """Write a whole DocumentSet as PDFs: one per round, per day, per producer, per site, the summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc in document_files(docs, iso_week, site_ids):
        path = out_dir / doc.filename
        path.write_bytes(doc.render_pdf())
        written.append(path)
    return written


def purge_cache(session: Session, root: Path, before: float) -> list[Path]:
    """Delete the cached PDF folders of superseded plan versions last written before `before` (a POSIX
    timestamp); the current version's folder of every week is always kept. Returns the deleted folders.

    Layout: `root/<territory>/<week>/v<version>/` (see `cache_dir`).
    """
    import shutil

    current = {(_safe(week.territory_id), week.iso_week, f"v{plan.version}")
               for plan, week in session.exec(select(Plan, Week).join(Week, Week.id == Plan.week_id)
                                              .where(Plan.current == True)).all()}  # noqa: E712
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for folder in sorted(root.glob("*/*/v*")):
        if not folder.is_dir() or (folder.parts[-3], folder.parts[-2], folder.name) in current:
            continue
        newest = max([folder.stat().st_mtime, *(f.stat().st_mtime for f in folder.iterdir())])
        if newest < before:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed
