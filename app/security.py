"""Security headers on every response, and the client's address behind a trusted proxy only.

* `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` on everything that is not
  an HTML page (JSON, problem+json, PDF, CSV): such a document never needs to load anything, so a
  browser tricked into rendering one as a page runs nothing. HTML pages set their own policy.
* `Strict-Transport-Security` only when the request came over HTTPS (`request.is_secure`): a
  plain-HTTP answer must not pin HTTPS for a host that may not serve it (local demo, tests).
* `TrustedProxies`: `X-Forwarded-For` and `X-Forwarded-Proto` are believed only when the request
  comes from an address of `TERRIL_TRUSTED_PROXIES` (comma-separated addresses or networks, e.g.
  `127.0.0.1, 10.0.0.0/8`). The client is then the right-most `X-Forwarded-For` entry that is not
  itself a trusted proxy (what werkzeug's `ProxyFix(x_for=n)` does when the chain is n proxies long,
  without having to know n); the scheme is the last proxy's `X-Forwarded-Proto`. From any other
  address the headers are ignored: a client cannot choose its own address and slip past the
  limiter, nor pose as everybody behind the proxy. The original values are kept in
  `werkzeug.proxy_fix.orig`, as ProxyFix does.
* A NUL character in the path, the query or a JSON body is refused with 400 before any view runs:
  PostgreSQL text cannot hold one (psycopg raises, which was a 500) and no Terril value needs it.
  Uploaded files may hold NUL bytes (an XLSX is a ZIP); they are read by the import's own checks.
"""
from __future__ import annotations

import ipaddress

from flask import Flask, request

from app.errors import problem

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def parse_networks(text: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in (text or "").split(",")
                 if part.strip())


class TrustedProxies:
    """WSGI middleware: the client's address and scheme from the headers of a trusted proxy only."""

    def __init__(self, wsgi_app, networks):
        self.wsgi_app, self.networks = wsgi_app, tuple(networks)

    def trusted(self, address: str | None) -> bool:
        try:
            ip = ipaddress.ip_address((address or "").strip())
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        remote = environ.get("REMOTE_ADDR")
        if self.networks and self.trusted(remote):
            chain = [h.strip() for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            client = next((h for h in reversed(chain) if not self.trusted(h)), chain[0] if chain else remote)
            try:
                client = str(ipaddress.ip_address(client))
            except ValueError:
                client = remote  # a garbled header: the proxy's own address, never the header's text
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            environ["werkzeug.proxy_fix.orig"] = {"REMOTE_ADDR": remote,
                                                  "wsgi.url_scheme": environ.get("wsgi.url_scheme")}
            environ["REMOTE_ADDR"] = client
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    networks = parse_networks(app.config.get("TERRIL_TRUSTED_PROXIES"))
    if networks:
        app.wsgi_app = TrustedProxies(app.wsgi_app, networks)

    @app.before_request
    def refuse_nul():
        raw_query = request.query_string.lower()
        form = request.mimetype == "application/x-www-form-urlencoded"
        body = request.get_data(cache=True) if request.is_json or form else b""
        if "\x00" in request.path or b"%00" in raw_query or b"\x00" in body or (form and b"%00" in body.lower()) or b"\\u0000" in body:
            return problem(400, "A NUL character is not allowed in the path, the query or a JSON body.",
                           code="nul_character", detail_fr="Caractère nul interdit dans l'adresse ou les données.",
                           errors=[{"field": "query" if b"%00" in raw_query else "body", "message": "NUL character"}])
        return None

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if response.mimetype != "text/html":
            response.headers.setdefault("Content-Security-Policy", JSON_CSP)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
