"""Every form submitted once through the browser (tests/browser/walk_forms.py) by a manager, a trainer and the
administrator."""

from __future__ import annotations

from tests.browser.walk_forms import forms_test
from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

test_every_form_submits_once_through_the_browser = forms_test("manager", "trainer", "admin")
