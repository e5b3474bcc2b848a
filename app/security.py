"""Security headers on every response (the API serves JSON and PDFs; pages add their own CSP).

* `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` on everything that is not
  an HTML page (JSON, problem+json, PDF, CSV): such a document never needs to load anything, so a
  browser tricked into rendering one as a page runs nothing. HTML pages set their own policy.
* `Strict-Transport-Security` only when the request came over HTTPS (`request.is_secure`; behind a
  TLS-terminating proxy, apply werkzeug's ProxyFix so the scheme is the client's): a plain-HTTP
  answer must not pin HTTPS for a host that may not serve it (local demo, tests).
"""
from __future__ import annotations

from flask import Flask, request

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
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
