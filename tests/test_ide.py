"""GraphiQL is served by the app itself: the page, every asset it loads, and nothing from elsewhere.

A real browser runs the page in .ci/clients (CI has Chromium); here the app answers over httpx.
"""

import hashlib
import json
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
from sqlalchemy.engine import URL

from api.app import create_app
from api.ide.page import ASSETS, EXAMPLE_QUERY
from api.ide.refresh import MANIFEST, PINNED
from api.settings import PROJECT_ROOT, Environment, Settings

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CONTENT_TYPES = {".js": {"text/javascript", "application/javascript"}, ".css": {"text/css"}}


class References(HTMLParser):
    """The src and href of every element of a page, and the attributes of #graphiql."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.root: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]
        if ("id", "graphiql") in attrs:
            self.root = dict(attrs)


def references(page: str) -> References:
    parser = References()
    parser.feed(page)
    return parser


async def client_of(settings: Settings, url: URL) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://eventgraph.test"
        ) as http:
            yield http


@pytest.fixture
async def http(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_of(Settings(environment=Environment.DEVELOPMENT), database_url):
        yield client


@pytest.fixture
async def ide_off_http(database_url: URL) -> AsyncIterator[httpx.AsyncClient]:
    async for client in client_of(Settings(graphiql=False), database_url):
        yield client


def readme_example() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    found = re.search(r"```graphql\n(.*?)```", readme, re.DOTALL)
    assert found
    return found[1]


async def test_a_browser_gets_the_ide_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = references(response.text)
    assert page.root["data-endpoint"] == "/graphql"
    assert page.root["data-example"] == EXAMPLE_QUERY == readme_example()


async def test_every_asset_of_the_page_is_served_from_the_app(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers=BROWSER)).text
    assert re.findall(r"(?:https?:)?//[\w.-]+", page) == []
    urls = references(page).urls
    assets = [url for url in urls if url != "data:,"]
    assert sorted(assets) == [
        "/ide/eventgraph-ide.css",
        "/ide/eventgraph-ide.js",
        "/ide/graphiql.min.css",
        "/ide/graphiql.min.js",
        "/ide/react-dom.production.min.js",
        "/ide/react.production.min.js",
    ]
    for url in assets:
        response = await http.get(url)
        assert response.status_code == 200, url
        media_type = response.headers["content-type"].split(";")[0]
        assert media_type in CONTENT_TYPES[url[url.rindex(".") :]], (url, media_type)
        assert response.content == (ASSETS / url.removeprefix("/ide/")).read_bytes()


async def test_the_stylesheets_load_nothing_else(http: httpx.AsyncClient) -> None:
    for name in ("graphiql.min.css", "eventgraph-ide.css"):
        css = (await http.get(f"/ide/{name}")).text
        loaded = re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", css)
        assert [url for url in loaded if not url.startswith("data:")] == [], name


async def test_the_assets_are_the_pinned_versions_with_their_licences(
    http: httpx.AsyncClient,
) -> None:
    manifest = json.loads(MANIFEST.read_text())
    assert {name: entry["version"] for name, entry in manifest.items()} == {
        package.name: package.version for package in PINNED
    }
    for package in PINNED:
        files = manifest[package.name]["files"]
        assert set(files) == set(package.files.values())
        assert f"{package.name}.LICENSE" in files
        for name, sha256 in files.items():
            assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == sha256, name
        licence = await http.get(f"/ide/{package.name}.LICENSE")
        assert licence.status_code == 200
        assert "MIT License" in licence.text


async def test_queries_from_a_browser_still_reach_graphql(http: httpx.AsyncClient) -> None:
    query = "{ __typename }"
    by_get = await http.get("/graphql", params={"query": query}, headers=BROWSER)
    by_post = await http.post("/graphql", json={"query": query}, headers=BROWSER)
    for response in (by_get, by_post):
        assert response.json()["data"] == {"__typename": "Query"}


async def test_the_ide_is_off_with_its_setting(ide_off_http: httpx.AsyncClient) -> None:
    page = await ide_off_http.get("/graphql", headers=BROWSER)
    # Without the IDE, a browser's GET is a GraphQL request without a query.
    assert page.status_code == 400
    assert page.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "graphiql" not in page.text.lower()
    assert (await ide_off_http.get("/ide/graphiql.min.js")).status_code == 404
    answer = await ide_off_http.post("/graphql", json={"query": "{ __typename }"})
    assert answer.json()["data"] == {"__typename": "Query"}
