"""GraphiQL at GET /graphql for browsers, with every script and style served by the app itself.

`ide_routes(settings)` gives the routes to put before the GraphQL endpoint's own /graphql route:
the page answers only a browser's GET (Accept: text/html, no `query` parameter) and leaves every
other request to the routes after it; the assets are under /ide/. Nothing is served when the
GraphiQL setting is off.
"""

import html
from pathlib import Path
from string import Template
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.settings import Settings

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
ASSETS_PATH = "/ide"
ENDPOINT_PATH = "/graphql"
PAGE = Template((HERE / "page.html").read_text())
# The query the IDE opens with: the README's example, which a test keeps identical.
EXAMPLE_QUERY = (HERE / "example.graphql").read_text()
# Everything the page loads comes from this server; the inline styles are React's.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def accepts_html(scope: Scope) -> bool:
    """The request lists text/html among the media types it accepts, as browsers do."""
    accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
    return any(part.split(";")[0].strip().lower() == "text/html" for part in accept.split(","))


def wants_ide(scope: Scope) -> bool:
    """A browser opening the endpoint: GET, accepting HTML, and not sending a query."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return scope["method"] in ("GET", "HEAD") and accepts_html(scope) and "query" not in query


class BrowserRoute(Route):
    """A route that matches only the requests `wants_ide` picks; others go on to later routes."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not wants_ide(scope):
            return Match.NONE, {}
        return super().matches(scope)


async def ide_page(request: Request) -> Response:
    """The GraphiQL page: eventgraph's example query, the docs explorer open."""
    page = PAGE.substitute(
        assets=ASSETS_PATH,
        endpoint=html.escape(request.url.path),
        example=html.escape(EXAMPLE_QUERY),
    )
    return HTMLResponse(
        page,
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "cache-control": "no-cache",
            "vary": "accept",
        },
    )


def ide_routes(settings: Settings) -> list[BaseRoute]:
    """The IDE page at GET /graphql and its assets under /ide/; none when GraphiQL is off."""
    if not settings.graphiql_enabled:
        return []
    return [
        BrowserRoute(ENDPOINT_PATH, ide_page, methods=["GET"], name="ide"),
        Mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="ide-assets"),
    ]
