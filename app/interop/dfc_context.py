"""The DFC JSON-LD contexts Terril reads and writes, served offline, and the IRIs they stand for.

Terril writes the **DFC ontology 1.16.0** context (`CONTEXT_URL`, the versioned URL the official
TypeScript connector preloads; the Ruby connector knows it too). Its prefixes map `dfc-b:` to the
ontology's current IRIs (`https://github.com/datafoodconsortium/ontology/releases/latest/download/
DFC_BusinessOntology.owl#`) and `dfc-m:` to the current measures taxonomy.

Documents written for the ontology before 1.8 used `http://static.datafoodconsortium.org/…` IRIs;
Terril still reads them: `canonical()` maps every old IRI onto the current one after expansion.

The document loader serves the copies shipped in `data/` for the URLs below and refuses any other
remote document (no network at run time or in tests):
- `dfc_context_1.16.0.jsonld`: the published 1.16.0 context, unchanged (the connectors ship the same
  file: connector-ruby `lib/datafoodconsortium/connector/context_1.16.0.json`, connector-typescript
  `src/context.ts`);
- `dfc_context_legacy.jsonld`: the pre-1.8 prefixes (static.datafoodconsortium.org), trimmed to the
  terms Terril used, for documents that name the old static context URL.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld import jsonld

DATA = Path(__file__).parent / "data"
VERSION = "1.16.0"
CONTEXT_URL = "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context_1.16.0.jsonld"
# Every URL under which the 1.16.0 context is published or aliased by the connectors.
CURRENT_URLS = (
    CONTEXT_URL,
    "https://w3id.org/dfc/ontology/context/context_1.16.0.json",
    # the unversioned URL now answers the latest context (the Ruby connector aliases it to 1.16.0)
    "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context.jsonld",
    "https://www.datafoodconsortium.org/",
)
LEGACY_URLS = ("http://static.datafoodconsortium.org/ontologies/context.json",)

DFC_B = "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_BusinessOntology.owl#"
DFC_M = "https://github.com/datafoodconsortium/taxonomies/releases/latest/download/measures.rdf#"
LEGACY = {
    "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#": DFC_B,
    "http://static.datafoodconsortium.org/data/measures.rdf#": DFC_M,
    "http://static.datafoodconsortium.org/ontologies/DFC_FullModel.owl#":
        "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_FullModel.owl#",
    "http://static.datafoodconsortium.org/ontologies/DFC_TechnicalOntology.owl#":
        "https://github.com/datafoodconsortium/ontology/releases/latest/download/DFC_TechnicalOntology.owl#",
}
TRL = "https://terril.invalid/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# What Terril adds to the DFC context: its extension terms (no DFC equivalent) and xsd.
EXTENSION = {"xsd": XSD, "trl": TRL, "trl:deliveryDay": {"@type": "xsd:date"}}
CONTEXT = [CONTEXT_URL, EXTENSION]


@cache
def _document(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _variants(url: str) -> tuple[str, ...]:
    bare = url.split("://", 1)[1]
    return (f"https://{bare}", f"http://{bare}")


@cache
def local_documents() -> dict[str, str]:
    """URL (http and https) → shipped file name."""
    out = {}
    for url in CURRENT_URLS:
        out.update(dict.fromkeys(_variants(url), f"dfc_context_{VERSION}.jsonld"))
    for url in LEGACY_URLS:
        out.update(dict.fromkeys(_variants(url), "dfc_context_legacy.jsonld"))
    return out


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader: the shipped DFC contexts, nothing else."""
    name = local_documents().get(url)
    if name is None:
        raise jsonld.JsonLdError(f"Remote document {url!r} is not loaded (only the DFC contexts are known).",
                                 "jsonld.LoadDocumentError", {"url": url}, code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": _document(name)}


OPTIONS = {"documentLoader": document_loader}


def canonical(iri: str) -> str:
    """An IRI of the pre-1.8 ontology (static.datafoodconsortium.org) as its current IRI."""
    for old, new in LEGACY.items():
        if iri.startswith(old):
            return new + iri[len(old):]
    return iri


def remote_contexts(document: object) -> list[str]:
    """The context URLs a document names (top level and in its nodes), for error messages."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            ctx = value.get("@context")
            for item in ctx if isinstance(ctx, list) else [ctx]:
                if isinstance(item, str) and item not in found:
                    found.append(item)
            for key, child in value.items():
                if key != "@context":
                    walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(document)
    return found
