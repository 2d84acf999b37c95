"""The desk in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, installed by
the test command; Playwright never downloads a browser) against a desk on loopback.

An agent uploads a customer's bundle, waits for the verdict, sees the graph with the broken link
marked, downloads the escalation bundle, and finds it redacted, then deletes the case; a device
named like markup stays text all the way.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from desk_support import CANARY, HOME_LATITUDE, HOSTILE_NAME, INCIDENT, example_bundle, hostile_home, running_desk, \
    zip_folder

CHROMIUM = Path("/usr/bin/chromium")
# Closed network, loopback only: nothing in the browser may reach out on its own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-default-apps",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: the README's test command installs it (apt-get install chromium)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def _open_case(page: Page, base: str, bundle: Path, *, title: str, words: str) -> None:
    await page.goto(base + "/")
    await page.set_input_files("#new-case input[name=bundle]", str(bundle))
    await page.fill("#new-case input[name=title]", title)
    await page.fill("#new-case textarea[name=customer_words]", words)
    await page.fill("#new-case input[name=incident_at]", INCIDENT)
    await page.click("#new-case button[type=submit]")
    await page.wait_for_url("**/cases/*")


async def test_an_agent_goes_from_bundle_to_escalation_in_the_browser(tmp_path: Path, browser: Browser) -> None:
    bundle = tmp_path / "customer.zip"
    bundle.write_bytes(example_bundle())
    async with running_desk(tmp_path) as client:
        base = str(client.make_url("")).rstrip("/")
        context = await browser.new_context(accept_downloads=True)
        page = await context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await _open_case(page, base, bundle, title="Lights stay dark", words="Driveway dark when I get home")

        # the page follows the trace through the API, then shows the verdict first
        verdict = page.locator("#verdict")
        await expect(verdict).to_contain_text("Driveway", timeout=60_000)
        await expect(verdict).to_contain_text("lost its zigbee link")
        await expect(page.locator(".timeline .step-failed .name")).to_contain_text("Driveway lights come on")
        await expect(page.locator(".timeline .step-passed")).to_have_count(2)
        await expect(page.locator("#responsible .fix")).not_to_be_empty()
        await expect(page.locator("#evidence tbody tr").first).to_be_visible()

        # the graph is drawn by weaklink, loads, and marks the broken link
        graph = page.locator("img.graph")
        await expect(graph).to_be_visible()
        assert await graph.evaluate("img => img.complete && img.naturalWidth > 0")
        svg = await (await context.request.get(base + await graph.get_attribute("src"))).text()
        assert 'class="' in svg and "broken" in svg and "<script" not in svg

        # one click: the escalation bundle downloads, redacted
        async with page.expect_download() as waiting:
            await page.click("#escalate button[type=submit]")
        download = await waiting.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        with zipfile.ZipFile(saved) as escalation:
            names = escalation.namelist()
            contents = {name: escalation.read(name).decode("utf-8", errors="replace") for name in names}
        assert "report.json" in names and "light.driveway" in contents["report.json"]
        for name, text in contents.items():
            assert CANARY not in text and HOME_LATITUDE not in text, f"a secret reached {name}"
        await expect(page.locator("ul.escalations a")).to_have_count(1)

        # and the case moves along
        await page.select_option("#set-status select", "waiting_on_vendor")
        await page.click("#set-status button")
        await expect(page.locator(".facts .status")).to_have_text("waiting on vendor")
        await page.fill("#add-note textarea", "Escalated to Signify")
        await page.click("#add-note button")
        await expect(page.locator(".notes p")).to_have_text("Escalated to Signify")
        assert CANARY not in await page.content()

        # solved, and deleted: the box must be ticked first, then the agent lands on an empty list
        case_url = page.url
        await page.click("#delete-case button")  # not ticked: the browser does not submit
        await expect(page.locator("#delete-case input[name=confirm]:invalid")).to_have_count(1)
        assert page.url == case_url and (await page.request.get(case_url)).status == 200
        await page.check("#delete-case input[name=confirm]")
        await page.click("#delete-case button")
        await page.wait_for_url(base + "/")
        await expect(page.locator("table.cases a")).to_have_count(0)
        assert (await page.request.get(case_url)).status == 404
        assert dialogs == []
        await context.close()


async def test_names_from_the_customers_home_render_as_text(tmp_path: Path, browser: Browser) -> None:
    bundle = tmp_path / "hostile.zip"
    bundle.write_bytes(zip_folder(hostile_home(tmp_path), extra={
        "driveway.yaml": (Path(__file__).resolve().parents[1] / "scenarios" / "driveway_arrival.yaml").read_bytes()}))
    async with running_desk(tmp_path) as client:
        base = str(client.make_url("")).rstrip("/")
        page = await browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))
        await _open_case(page, base, bundle, title=HOSTILE_NAME, words=f"It said {HOSTILE_NAME}")
        await expect(page.locator("#verdict")).to_contain_text("lost its zigbee link", timeout=60_000)
        await expect(page.locator("h1")).to_have_text(HOSTILE_NAME)
        await expect(page.locator("#verdict")).to_contain_text('<script>alert("pwned")</script>')
        assert await page.locator("main script").count() == 0
        assert await page.locator("main img[src=x]").count() == 0
        await page.goto(base + "/")
        await expect(page.locator("table.cases a").nth(1)).to_have_text(HOSTILE_NAME)
        assert dialogs == []
        await page.close()

