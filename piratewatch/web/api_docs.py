"""``/docs`` (Swagger UI) and ``/redoc``, rendered from assets the app serves itself.

fastapi-offline ships the Swagger UI bundle and ReDoc's standalone script and serves them under
``/docs-assets``; FastAPI's own pages would load them from a CDN and stay blank offline. ReDoc's
sidebar still names a logo on its maker's CDN, so ``/redoc`` answers with a Content-Security-Policy
that keeps images, fonts and fetches on this origin: the page never reaches out, the logo is left out.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse
from fastapi_offline import FastAPIOffline

#: where fastapi-offline's files are served
ASSETS = "/docs-assets"
#: what the docs pages may load: scripts and styles inline or from here (ReDoc runs a blob worker)
_DOCS_POLICY = "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:"


def docs_app(**options: Any) -> FastAPI:
    """A FastAPI app whose ``/docs`` and ``/redoc`` work with no network."""
    app = FastAPIOffline(redoc_url=None, static_url=ASSETS, **options)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = _DOCS_POLICY
        return page

    return app
