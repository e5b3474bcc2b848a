"""The week's documents: build the view models from the stored plan and render them, with a cache.

Documents are rendered from the current plan version and cached as files under
`TERRIL_DOCUMENTS_DIR/<territory>/<week>/v<version>/`; a new plan version has a new folder, so a
re-plan regenerates them and a re-print of the same version returns the very same bytes.
`write_week` renders everything at publication.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from app.models import Plan, Site, Week
from app.services.scenario import export_scenario
from orders.errors import NotFound
from orders.plan import Plan as WeekPlan
from reports import delivery_note, pick_list, route_sheet, summary
from reports.from_plan import documents_from_plan


@dataclass(frozen=True)
class Document:
    """One document of the plan: its file name and how to render it (lazily: a PDF served from the
    cache renders nothing, an HTML preview renders no PDF)."""

    filename: str
    render_html: Callable[[], str]
    render_pdf: Callable[[], bytes]


def _documents(session: Session, week: Week, plan: Plan, changes: Mapping | None = None):
    from app.services.delivery import crate_balances

    return documents_from_plan(WeekPlan.from_dict(plan.plan), export_scenario(session, week),
                               crate_balances(session, week.territory_id), changes)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def slug(text: str) -> str:
    """A name as a file-name part that keeps its letters: « École maternelle Les Galibots » →
    ``ecole-maternelle-les-galibots`` (NFKD splits off the accents; the letters stay)."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-") or "site"


def site_slugs(names: Mapping[str, str]) -> dict[str, str]:
    """Site id → its file-name part: the slug of its name, followed by the slug of its id when
    another site's name gives the same slug (two sites may share a display name)."""
    by_slug: dict[str, list[str]] = {}
    for site_id, name in names.items():
        by_slug.setdefault(slug(name or site_id), []).append(site_id)
    return {site_id: base if len(ids) == 1 else f"{base}-{slug(site_id)}"
            for base, ids in by_slug.items() for site_id in ids}


def territory_slugs(session: Session, territory_id: str) -> dict[str, str]:
    """`site_slugs` of every site of the territory (the file names of its pick lists and notes)."""
    return site_slugs({s.id: s.name for s in session.exec(select(Site).where(Site.territory_id == territory_id))})


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
    lists = [p for p in _documents(session, week, plan).pick_lists if p.site_id == producer.id]  # by id
    if not lists:
        raise _not_found("pick list for this producer", "bon de préparation pour ce producteur")
    name = territory_slugs(session, week.territory_id).get(producer.id) or slug(producer.name)
    return Document(f"bon-de-preparation-{name}-{week.iso_week}.pdf",
                    lambda: pick_list.render_pick_lists_html(lists), lambda: pick_list.render_pick_lists_pdf(lists))


def delivery_note_doc(session: Session, week: Week, plan: Plan, site: Site) -> Document:
    notes = [n for n in _documents(session, week, plan).delivery_notes if n.site_id == site.id]  # by id
    if not notes:
        raise _not_found("delivery for this site", "livraison pour ce site")
    name = territory_slugs(session, week.territory_id).get(site.id) or slug(site.name)
    return Document(f"bon-de-livraison-{name}-{week.iso_week}.pdf",
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
    return render_set(_documents(session, week, plan), cache_dir(week, plan, root), week.iso_week,
                      territory_slugs(session, week.territory_id))


@dataclass(frozen=True)
class DocumentFile:
    """One PDF of a week's set: its file name, what it is (`kind`, `key`: what the API addresses it
    by) and how to render it. A publication renders these one by one, in parallel tasks."""

    filename: str
    kind: str  # route_sheet (day, vehicle) | day_sheets (day,) | pick_list (site,) | delivery_note (site,) | summary ()
    key: tuple
    render_pdf: Callable[[], bytes]


def document_files(docs, iso_week: str, slugs: Mapping[str, str] | None = None) -> list[DocumentFile]:
    """Every PDF of a DocumentSet: one per round, per day, per producer, per site, the summary.

    Pick lists and delivery notes are grouped by site id (their `key`); `slugs` (site id → file-name
    part, `site_slugs`) names their files, by default from the names the documents print."""
    if slugs is None:
        slugs = site_slugs({**{p.site_id or p.producer: p.producer for p in docs.pick_lists},
                            **{n.site_id or n.recipient: n.recipient for n in docs.delivery_notes}})
    out: list[DocumentFile] = []
    for sheet in docs.route_sheets:
        out.append(DocumentFile(f"feuille-de-route-{sheet.day}-{_safe(sheet.vehicle)}.pdf", "route_sheet",
                                (sheet.day, sheet.vehicle), lambda s=sheet: route_sheet.render_route_sheet_pdf(s)))
    for day, sheets in docs.route_sheets_by_day().items():
        out.append(DocumentFile(f"feuilles-de-route-{day}.pdf", "day_sheets", (day,),
                                lambda s=sheets: route_sheet.render_day_sheets_pdf(s)))
    by_producer: dict[str, list] = {}
    for item in docs.pick_lists:
        by_producer.setdefault(item.site_id or item.producer, []).append(item)
    for site, lists in by_producer.items():
        name = slugs.get(site) or slug(lists[0].producer)
        out.append(DocumentFile(f"bon-de-preparation-{name}-{iso_week}.pdf", "pick_list", (site,),
                                lambda v=lists: pick_list.render_pick_lists_pdf(v)))
    by_site: dict[str, list] = {}
    for note in docs.delivery_notes:
        by_site.setdefault(note.site_id or note.recipient, []).append(note)
    for site, notes in by_site.items():
        name = slugs.get(site) or slug(notes[0].recipient)
        out.append(DocumentFile(f"bon-de-livraison-{name}-{iso_week}.pdf", "delivery_note", (site,),
                                lambda v=notes: delivery_note.render_delivery_notes_pdf(v)))
    out.append(DocumentFile(f"synthese-{iso_week}.pdf", "summary", (),
                            lambda: summary.render_summary_pdf(docs.summary)))
    return out


def week_document_files(session: Session, week: Week, plan: Plan, changes: Mapping | None = None) -> list[DocumentFile]:
    """The PDFs of a week's plan version (what a publication renders, in parts: `app/jobs/`);
    `changes`: (site, day) → the "was → is" lines a new version prints (a re-plan after a shortage)."""
    return document_files(_documents(session, week, plan, changes), week.iso_week,
                          territory_slugs(session, week.territory_id))


def render_set(docs, out_dir: Path, iso_week: str, slugs: Mapping[str, str] | None = None) -> list[Path]:
    """Write a whole DocumentSet as PDFs: one per round, per day, per producer, per site, the summary."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for doc in document_files(docs, iso_week, slugs):
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
