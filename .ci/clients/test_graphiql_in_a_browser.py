"""GraphiQL in a real headless Chromium, with no network but the app's own port.

The browser opens /graphql as a person would, gets GraphiQL with eventgraph's example and the
docs explorer, runs the example, and shows the same answer the API gives over plain HTTP; a
subscription runs over a WebSocket to the same path and shows a change as it is made.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from playwright.async_api import (
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    Route,
    async_playwright,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy.engine import URL

from api.db.server import to_asyncpg_dsn
from api.ide.page import EXAMPLE_QUERY
from tests.subscriptions.client import (
    put_back_titles,
    retitle,
    titles_of_events,
    websocket_url,
)

CHROMIUM = "/usr/bin/chromium"
# Headless and quiet: without the background-networking flags Chromium calls home, which here
# would only fail; QUIC and the sandbox are off as in any container.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
EDITOR_TEXT = "selector => document.querySelector(selector).CodeMirror.getValue()"


class Observed:
    """What the page did that it should not: requests elsewhere, errors, failed loads."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign_requests: list[str] = []
        self.problems: list[str] = []

    async def only_the_app(self, route: Route, request: Request) -> None:
        """Lets requests to the app through and refuses the rest, as a machine offline would."""
        parts = urlsplit(request.url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin or parts.scheme == "data":
            await route.continue_()
            return
        self.foreign_requests.append(request.url)
        await route.abort("internetdisconnected")

    def console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def page_error(self, error: Error) -> None:
        self.problems.append(f"page error: {error}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} for {response.url}")

    def __str__(self) -> str:
        return f"requests elsewhere: {self.foreign_requests}; problems: {self.problems}"


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Debian's Chromium with a fresh profile of its own."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        yield context
        await context.close()


async def opened(browser: BrowserContext, url: str, observed: Observed) -> Page:
    await browser.route("**/*", observed.only_the_app)
    page = browser.pages[0] if browser.pages else await browser.new_page()
    page.on("console", observed.console)
    page.on("pageerror", observed.page_error)
    page.on("response", observed.response)
    await page.goto(url)
    try:
        await page.wait_for_selector(".graphiql-container")
    except PlaywrightTimeoutError:
        pytest.fail(f"GraphiQL did not start: {observed}")
    return page


async def test_graphiql_runs_the_example_offline(base_url: str, browser: BrowserContext) -> None:
    observed = Observed(base_url)
    page = await opened(browser, f"{base_url}/graphql", observed)
    editor = await page.evaluate(EDITOR_TEXT, ".graphiql-query-editor .CodeMirror")
    assert editor == EXAMPLE_QUERY
    docs = page.locator(".graphiql-doc-explorer")
    await docs.get_by_text("Root Types").wait_for()
    assert "query: Query" in await docs.inner_text()

    async with page.expect_request(
        lambda request: request.method == "POST" and request.url == f"{base_url}/graphql"
    ) as posted:
        await page.click(".graphiql-execute-button")
    request = await posted.value
    assert (await request.all_headers())["content-type"] == "application/json"
    assert json.loads(request.post_data or "")["query"] == EXAMPLE_QUERY

    await page.wait_for_function(
        f"() => ({EDITOR_TEXT})('.result-window .CodeMirror').includes('\"data\"')"
    )
    shown = json.loads(await page.evaluate(EDITOR_TEXT, ".result-window .CodeMirror"))
    async with httpx.AsyncClient(base_url=base_url) as http:
        answer = (await http.post("/graphql", json={"query": EXAMPLE_QUERY})).json()
    # The two answers were debited one after the other from the same budget.
    assert without_available_budget(shown) == without_available_budget(answer)
    assert answer["data"]["event"]["title"] == "Xi Jinping–Vladimir Putin video call"
    assert answer["data"]["event"]["quotes"]["totalCount"] == 27

    assert observed.foreign_requests == [], observed
    assert observed.problems == [], observed


def without_available_budget(response: dict[str, Any]) -> dict[str, Any]:
    """The response without the budget left, which every request lowers."""
    throttle = {
        name: value
        for name, value in response["extensions"]["cost"]["throttleStatus"].items()
        if name != "currentlyAvailable"
    }
    cost = {**response["extensions"]["cost"], "throttleStatus": throttle}
    return {**response, "extensions": {**response["extensions"], "cost": cost}}


FOLLOW = """subscription Follow {
  changes(types: [EVENT]) { op fields { name after } }
}"""


async def test_graphiql_follows_a_subscription_over_a_websocket(
    base_url: str, corpus_url: URL, browser: BrowserContext
) -> None:
    observed = Observed(base_url)
    page = await opened(browser, f"{base_url}/graphql", observed)
    await page.evaluate(
        "([selector, text]) => document.querySelector(selector).CodeMirror.setValue(text)",
        [".graphiql-query-editor .CodeMirror", FOLLOW],
    )
    await asyncio.sleep(0.5)  # GraphiQL takes the editor's text on its next change event
    async with page.expect_websocket(lambda socket: socket.url == websocket_url(base_url)):
        await page.click(".graphiql-execute-button")
    await asyncio.sleep(1.0)  # the subscription reaches the server
    titles = await titles_of_events(to_asyncpg_dsn(corpus_url))
    connection = await asyncpg.connect(to_asyncpg_dsn(corpus_url))
    try:
        await retitle(connection, "Followed in GraphiQL")
        await page.wait_for_function(
            f"() => ({EDITOR_TEXT})('.result-window .CodeMirror').includes('Followed in GraphiQL')"
        )
        shown = json.loads(await page.evaluate(EDITOR_TEXT, ".result-window .CodeMirror"))
    finally:
        await connection.close()
        await put_back_titles(to_asyncpg_dsn(corpus_url), titles)
    assert shown == {
        "data": {
            "changes": {
                "op": "UPDATE",
                "fields": [{"name": "title", "after": "Followed in GraphiQL"}],
            }
        }
    }
    assert observed.foreign_requests == [], observed
    assert observed.problems == [], observed
