"""What every browser test checks on a page it lands on, in one place: no sideways scrolling at the viewport's width,
nothing serious from axe-core, and a full-page screenshot (when LMS_WALK_SCREENSHOTS names a folder) to look at."""

from __future__ import annotations

from typing import Any

from tests.browser.walk import AXE_SERIOUS, run_axe, screenshot_dir


def shot(page: Any, folder: str, name: str) -> None:
    root = screenshot_dir()
    if root is not None:
        (root / folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(root / folder / f"{name}.png"), full_page=True)


def checked(page: Any, width: int, name: str, *, folder: str) -> None:
    # A page's text can be there before its stylesheets are: measure once the page has loaded (on a loaded
    # machine the width was once read from the unstyled page).
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    serious = [v for v in run_axe(page) if v["impact"] in AXE_SERIOUS]
    assert serious == [], (name, serious)
    shot(page, folder, f"{name}-{width}")
