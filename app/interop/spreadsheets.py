"""CSV and XLSX tables: the templates, reading uploads cell by cell, writing exports safely.

A table is a header row (French column names, see `docs/interop.md`) and one record per row.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2, so
an error "ligne 3, colonne produit" points at the cell the user sees. Reading collects every
cell error of the file before anything is written; the caller refuses the whole file if any.

Exports neutralise formulas: a text cell starting with = + - @ tab or carriage return gets a
leading apostrophe in CSV (OWASP "CSV injection"), and is stored as a plain string (never a
formula) in XLSX.

Uploads are hostile until read: a file is sniffed before it is parsed (images, PDFs and other
binaries are 415, never handed to the CSV reader), text must be UTF-8 (with or without BOM), UTF-16
with a BOM or Windows-1252, and an XLSX archive is checked before openpyxl opens it: at most
`MAX_XLSX_ENTRIES` members expanding to at most `MAX_XLSX_EXPANDED` bytes (the declared sizes bound
what zipfile will inflate), so a zip bomb is a 413 and not a full memory. Every refusal is a
`TableError` carrying its HTTP status and code.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

MAX_ROWS = 5000
MAX_BYTES = 2 * 1024 * 1024
MAX_XLSX_EXPANDED = 32 * 1024 * 1024  # bytes once inflated: a 5000-row sheet is ~2 MB
MAX_XLSX_ENTRIES = 200
MAX_COLUMNS = 64  # columns read per row (a cell at XFD1048576 must not pad every row to 16384)
BINARY_SIGNATURES = {
    b"GIF87a": "a GIF image", b"GIF89a": "a GIF image", b"\xff\xd8\xff": "a JPEG image",
    b"\x89PNG": "a PNG image", b"%PDF": "a PDF document", b"\xd0\xcf\x11\xe0": "an old Excel (XLS) file",
    b"RIFF": "a RIFF (WebP/AVI/WAV) file", b"\x1f\x8b": "a gzip archive",
    b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image", b"7z\xbc\xaf": "a 7z archive",
    b"Rar!": "a RAR archive", b"\x7fELF": "an executable",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its French header, the kind of value, whether it is required, help for the template."""

    name: str
    kind: str  # text, slug, week, date, number, integer
    required: bool
    help_fr: str


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]


OFFERS = Table("offres", (
    Column("semaine", "week", True, "Semaine ISO, ex. 2026-W49"),
    Column("producteur", "slug", True, "Identifiant de la ferme (ex. ferme-terril)"),
    Column("produit", "slug", True, "Identifiant du produit (ex. carotte)"),
    Column("quantite", "number", True, "Quantité offerte, dans l'unité du produit (kg, pièce…)"),
    Column("prix_unitaire_eur", "number", True, "Prix unitaire HT en euros (point ou virgule décimale)"),
    Column("lot", "number", False, "Taille de lot (multiple livré), 1 par défaut"),
    Column("date_recolte", "date", False, "Date de récolte (AAAA-MM-JJ ou JJ/MM/AAAA), facultative"),
))
MEAL_ORDERS = Table("commandes_repas", (
    Column("semaine", "week", True, "Semaine ISO, ex. 2026-W49"),
    Column("cantine", "slug", True, "Identifiant de la cantine (ex. mat-loos)"),
    Column("jour", "date", True, "Jour de livraison (AAAA-MM-JJ ou JJ/MM/AAAA)"),
    Column("produit", "slug", True, "Identifiant du produit (ex. carotte)"),
    Column("tranche_age", "slug", True, "maternelle, elementaire, adulte ou foyer"),
    Column("repas", "integer", True, "Nombre de repas de cette tranche d'âge pour ce produit"),
))
BASKET_ORDERS = Table("commandes_paniers", (
    Column("semaine", "week", True, "Semaine ISO, ex. 2026-W49"),
    Column("point_relais", "slug", True, "Identifiant du point relais (ex. rp-lens)"),
    Column("jour", "date", True, "Jour de livraison (AAAA-MM-JJ ou JJ/MM/AAAA)"),
    Column("type_panier", "slug", True, "Identifiant du type de panier (petit, moyen, grand…)"),
    Column("nombre", "integer", True, "Nombre de paniers"),
))
TABLES = {"offers": OFFERS, "meal-orders": MEAL_ORDERS, "basket-orders": BASKET_ORDERS}


@dataclass(frozen=True, slots=True)
class Record:
    """One parsed row: its spreadsheet row number and its typed values by column name."""

    row: int
    values: dict


class TableError(Exception):
    """The file cannot be read at all, or some cells are wrong: `errors` lists them all."""

    def __init__(self, detail: str, detail_fr: str, errors: list[dict], status: int = 422,
                 code: str = "import_rejected"):
        super().__init__(detail)
        self.detail, self.detail_fr, self.errors = detail, detail_fr, errors
        self.status, self.code = status, code


def unreadable(status: int, code: str, detail: str, detail_fr: str) -> TableError:
    """The whole file is refused before any cell is read (wrong type, encoding, size)."""
    return TableError(detail, detail_fr, [cell_error(None, None, detail)], status=status, code=code)


def cell_error(row: int | None, column: str | None, message: str) -> dict:
    where = " · ".join(x for x in (f"ligne {row}" if row else "", f"colonne {column}" if column else "") if x)
    return {"field": where or "file", "row": row, "column": column, "message": message}


# --- reading ----------------------------------------------------------------------------------

def _header_key(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _is_xlsx(data: bytes, filename: str | None, content_type: str | None) -> bool:
    if data[:4] == b"PK\x03\x04":
        return True
    if (filename and filename.lower().endswith(".xlsx")) or (content_type and "spreadsheetml" in content_type):
        raise unreadable(415, "file_type", "The file is named or typed as XLSX but is not a ZIP workbook.",
                         "Le fichier se présente comme un classeur XLSX mais n'en est pas un.")
    return False


def _refuse_binary(data: bytes) -> None:
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise unreadable(415, "file_type", f"The file is {what}, not a CSV or XLSX table.",
                             "Le fichier n'est pas un tableau CSV ou XLSX (image, PDF ou autre binaire).")
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:8192]:
        raise unreadable(415, "file_type", "The file is binary, not a CSV or XLSX table.",
                         "Le fichier est binaire : ce n'est pas un tableau CSV ou XLSX.")


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls:
            raise unreadable(415, "file_type", "The file holds control characters: it is not a text table.",
                             "Le fichier contient des caractères de contrôle : ce n'est pas un tableau texte.")
        return text
    raise unreadable(422, "file_encoding", "The file is neither UTF-8, UTF-16 (with BOM) nor Windows-1252 text.",
                     "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en CSV UTF-8.")


def _csv_rows(data: bytes) -> list[list[str]]:
    _refuse_binary(data)
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise unreadable(422, "file_unreadable", f"The CSV cannot be read: {str(exc)[:200]}.",
                         "Le fichier CSV est illisible.") from exc


def _check_archive(data: bytes) -> None:
    """Refuse a ZIP that would inflate beyond the limits (zip bomb) before openpyxl opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable(422, "file_unreadable", "The file is not a readable XLSX workbook.",
                         "Le fichier n'est pas un classeur XLSX lisible.") from exc
    expanded = sum(m.file_size for m in members)
    if len(members) > MAX_XLSX_ENTRIES or expanded > MAX_XLSX_EXPANDED:
        raise unreadable(413, "file_too_large", f"The workbook would expand to {expanded} bytes in "
                         f"{len(members)} parts (at most {MAX_XLSX_EXPANDED} in {MAX_XLSX_ENTRIES}).",
                         "Le classeur décompressé est trop volumineux (fichier piégé ou trop gros).")
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise unreadable(415, "file_type", "The ZIP archive is not an XLSX workbook (no xl/workbook.xml).",
                         "L'archive ZIP n'est pas un classeur XLSX.")


def _xlsx_rows(data: bytes) -> list[list[object]]:
    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [list(r) for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2,
                                                     max_col=MAX_COLUMNS)]
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key, value errors) on a broken file
        raise TableError("The file is not a readable XLSX workbook.",
                         "Le fichier n'est pas un classeur XLSX lisible.",
                         [cell_error(None, None, str(exc)[:200])], code="file_unreadable") from exc


def read_table(table: Table, data: bytes, filename: str | None = None,
               content_type: str | None = None) -> list[Record]:
    """Parse an upload into typed records; raise `TableError` listing every wrong cell."""
    if not data:
        raise TableError("The file is empty.", "Le fichier est vide.", [cell_error(None, None, "empty file")])
    if len(data) > MAX_BYTES:
        raise unreadable(413, "file_too_large", "The file is larger than 2 MB.", "Le fichier dépasse 2 Mo.")
    rows = _xlsx_rows(data) if _is_xlsx(data, filename, content_type) else _csv_rows(data)
    rows = [r for r in rows if any(v not in (None, "") and str(v).strip() for v in r)]
    if not rows:
        raise TableError("The file has no header row.", "Le fichier n'a pas de ligne d'en-tête.",
                         [cell_error(1, None, "no header")])
    header = [_header_key(v) for v in rows[0]]
    missing = [c.name for c in table.columns if c.required and c.name not in header]
    if missing:
        raise TableError(f"Missing columns: {', '.join(missing)}.",
                         f"Colonnes manquantes : {', '.join(missing)} (téléchargez le modèle).",
                         [cell_error(1, name, "missing column") for name in missing])
    if len(rows) - 1 > MAX_ROWS:
        raise TableError(f"More than {MAX_ROWS} rows.", f"Plus de {MAX_ROWS} lignes.",
                         [cell_error(None, None, "too many rows")])
    index = {name: header.index(name) for name in table.headers if name in header}
    records, errors = [], []
    for number, raw in enumerate(rows[1:], start=2):
        values = {}
        for column in table.columns:
            cell = raw[index[column.name]] if column.name in index and index[column.name] < len(raw) else None
            try:
                values[column.name] = _parse(column, cell)
            except ValueError as exc:
                errors.append(cell_error(number, column.name, str(exc)))
        records.append(Record(number, values))
    if errors:
        raise TableError(f"{len(errors)} cell(s) are invalid; nothing was imported.",
                         f"{len(errors)} cellule(s) invalide(s) : rien n'a été importé.", errors)
    return records


def _parse(column: Column, cell: object):
    if isinstance(cell, str):
        cell = cell.strip()
        if cell[:1] == "'" and cell[1:2] in FORMULA_START:
            cell = cell[1:]  # our own export's formula guard
    if cell is None or cell == "":
        if column.required:
            raise ValueError("required value is empty / valeur obligatoire vide")
        return None
    kind = column.kind
    if kind in ("number", "integer"):
        return _number(cell, kind)
    if kind == "date":
        return _date(cell)
    text = str(cell)
    if kind == "slug" and not SLUG.match(text):
        raise ValueError(f"{text!r} is not an identifier (lowercase letters, digits, '-') / identifiant invalide")
    if kind == "week" and not WEEK.match(text):
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W49 / semaine ISO invalide")
    return text


def _number(cell: object, kind: str):
    if isinstance(cell, bool):
        raise ValueError("expected a number / nombre attendu")
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        text = str(cell).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{cell!r} is not a number / nombre attendu") from None
    if value != value or value < 0 or value > 1e7:
        raise ValueError(f"{cell!r} must be between 0 and 10,000,000 / nombre hors limites")
    if kind == "integer":
        if value != int(value):
            raise ValueError(f"{cell!r} is not a whole number / nombre entier attendu")
        return int(value)
    return value


def _date(cell: object) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY) / date invalide")


# --- writing ----------------------------------------------------------------------------------

def neutralise(value: object) -> object:
    """A text value a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "OUI" if value else "NON"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(neutralise(value))


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",") -> bytes:
    """UTF-8 CSV (with a BOM so that spreadsheet software reads accents), formulas neutralised."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([_cell_text(h) for h in headers])
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], title: str,
               help_rows: Sequence[Sequence[str]] = ()) -> bytes:
    """One sheet of data (text cells forced to strings, never formulas), and an optional help sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # a string starting with "=" stays a string
    for c, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = max(12, len(header) + 4)
    if help_rows:
        info = book.create_sheet("aide")
        for row in help_rows:
            info.append(list(row))
        for cell in info[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(table: Table, fmt: str) -> bytes:
    """An empty table to fill in: the header row, and in XLSX a help sheet describing each column."""
    if fmt == "csv":
        return write_csv(table.headers, [])
    help_rows = [("colonne", "obligatoire", "contenu")] + [
        (c.name, "oui" if c.required else "non", c.help_fr) for c in table.columns]
    return write_xlsx(table.headers, [], table.name, help_rows)


def render(table: Table, rows: list[list[object]], fmt: str) -> bytes:
    return write_csv(table.headers, rows) if fmt == "csv" else write_xlsx(table.headers, rows, table.name)
