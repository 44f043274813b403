"""A keyboard-only journey (RGAA 12.13: every function reachable by keyboard): reach
the filters, choose a lever, choose a territory, download an extract. No mouse
event is sent: only Tab, typing and Enter."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from tests.e2e.test_accessibilite import settle


def tab_to(page, test: str, limit: int = 120, backwards: bool = False) -> int:
    """Press Tab until the focused element passes ``test`` (a JS predicate on it)."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({test})(e); }}"):
            return presses
    raise AssertionError(f"non atteint au clavier en {limit} tabulations : {test}")


def in_sidebar(testid: str, label: str = "") -> str:
    """The field itself (not the help icon next to its label) of a sidebar widget."""
    return (f"e => {{ const w = e.closest('[data-testid=stSidebar] [data-testid={testid}]');"
            f" return !!w && e.tagName === 'INPUT' && w.innerText.includes({label!r}); }}")


def test_keyboard_only_journey(page, app_url):
    page.goto(f"{app_url}/")
    settle(page, 1)
    page.locator("body").focus()
    # 1. the filters: the first one is « Leviers »
    tab_to(page, in_sidebar("stMultiSelect", "Leviers"))
    # 2. a lever: type to filter the list, Enter to choose, Escape to close
    page.keyboard.type("L6")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url("**leviers=L6**", timeout=30_000)
    settle(page)
    # 3. a territory: the département selector, chosen by typing its name
    tab_to(page, in_sidebar("stSelectbox", "Département"))
    page.keyboard.type("Ain")
    page.keyboard.press("Enter")
    page.wait_for_url("**departement=01**", timeout=30_000)
    settle(page)
    # 4. the Données page through the navigation, then an extract
    tab_to(page, "e => e.tagName === 'A' && e.innerText.trim().endsWith('Données')", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_text("2. Télécharger")).to_be_visible(timeout=60_000)
    settle(page)
    tab_to(page, "e => e.tagName === 'BUTTON' && e.innerText.startsWith('Pôles (')")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8-sig").read()), delimiter=";"))
    assert 0 < len(rows) < 150  # the lever filter chosen by keyboard holds
    assert "departement=01" in page.url and "leviers=L6" in page.url
