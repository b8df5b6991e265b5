"""Every form of the product submitted once, through the browser, by the people who use it: fields filled as a
person would (files through the file chooser), the answer checked as the walk checks a page.

A form may answer with its own validation message (that is a clear error, not a failure); the forms listed in
``MUST_SUCCEED`` must do what they are for with the values given here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser import walk

NEW_PASSWORD = "Walk#2026-Rollout"

# Files a person picks, by the page whose form asks for one (written fresh for each run).
FILES: dict[str, tuple[str, str]] = {
    "accounts.admin_users": ("roster.csv",
                             "employee_no,name,role,county,grid,phone\nM1901,巡检新人,manager,城区分公司,东城网格,13800001901\n"),
    "assessment.indicators": ("indicators.csv", "工号,指标,得分\nM1001,组织能力,92\nM1002,组织能力,85\n"),
    "quizzes.banks": ("walk.gift",
                      "::巡检1:: 月考及格线是多少分？ {=80 ~60 ~90}\n\n::巡检2:: 200元处罚针对连续两次不及格。 {T}\n"),
}
# Values for fields by name, where a made-up text would not do.
VALUES: dict[str, str] = {
    "employee_no": "M1001",
    "employee_nos": "M1001 M1002",
    "employee_numbers": "M1001",
    "current": walk.DEMO_PASSWORD,
    "new": NEW_PASSWORD,
    "confirm": NEW_PASSWORD,
    "email": "m1001@example.com",
    "url": "https://robots.example.invalid/hook",
    "bank": "walk-bank",
    "slug": "walk-lesson",
    "period": "2026-12",
    "q": "政策",
    "code": "AAAA-BBBB-CCCC-DDDD",
    "order": "1",
    "body": "## 巡检\n\n本课由浏览器巡检写入。",
    "minutes": "15",
    "starts": "09:00",
    "ends": "11:00",
    "quiz": "",  # optional: a person leaves it empty
    "quiz_slug": "",
    "lesson_slugs": "",
    "tags": "政策",
    "key": "walk_item",  # a visit-checklist item's code: lowercase letters, digits and _
}
# Forms whose purpose is checked: (endpoint of the page, a fragment of the form's action or '' for the page itself).
MUST_SUCCEED = {
    ("accounts.admin_users", ""),
    ("quizzes.banks", ""),
    ("accounts.change_password", ""),
}
# Forms kept for the end of a person's walk: they change who is signed in.
LAST = ("accounts.change_password",)

FILL = """
(form) => {
  const problems = [];
  for (const el of form.elements) {
    if (el.disabled || el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
    if (el.type === 'file') continue;
    if (el.tagName === 'SELECT') {
      if (!el.value) { const opt = [...el.options].find(o => o.value); if (opt) el.value = opt.value; }
      continue;
    }
    if (el.type === 'checkbox') { if (el.required) el.checked = true; continue; }
    if (el.type === 'radio') {
      const group = form.querySelectorAll(`input[type=radio][name="${el.name}"]`);
      if (![...group].some(r => r.checked)) group[0].checked = true;
      continue;
    }
    if (el.value) continue;  // what the page filled in is what a person would keep
    const values = JSON.parse(form.dataset.walkValues || '{}');
    if (el.name in values) { el.value = values[el.name]; continue; }
    const today = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
    el.value = {number: el.min || '1', date: today, time: '09:00', email: 'walk@example.com',
                url: 'https://example.invalid/hook', tel: '13800000000', password: 'Walk#2026-Rollout',
                month: today.slice(0, 7)}[el.type] || (el.tagName === 'TEXTAREA' ? '浏览器巡检填写的说明' : '巡检');
  }
  return problems;
}
"""


FORMS = "main form"  # the page's own forms (the header's sign-out and the footer are not the page's)
SUBMIT_BUTTON = "button[type=submit], input[type=submit], button:not([type])"

# What the walk reads of a form, in one round trip; and, unless it is the quiz player's form, the form filled (FILL)
# and opened (a form folded inside <details>, a confirmation say, is opened as a person opens it).
PREPARE = """
(form, [values, button]) => {
  const fill = """ + FILL.strip() + """;
  const about = {id: form.getAttribute('id'), action: form.getAttribute('action') || '',
                 method: (form.getAttribute('method') || 'get').toUpperCase(),
                 files: form.querySelectorAll('input[type=file]').length, button: !!form.querySelector(button)};
  if (about.id === 'quiz-form') return about;
  form.dataset.walkValues = values;
  fill(form);
  for (let d = form.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
  return about;
}
"""


def count_forms(page: Any) -> int:
    """The page's own forms, counted in the loaded page (a quarter of a locator's time, on every page walked)."""
    return int(page.evaluate("selector => document.querySelectorAll(selector).length", FORMS))


def prepare(form: Any) -> dict[str, Any]:
    """The form's id, action, method, number of file pickers and whether it has a submit button; the form filled
    and opened, unless it is the quiz player's."""
    about: dict[str, Any] = form.evaluate(PREPARE, [json.dumps(VALUES, ensure_ascii=False), SUBMIT_BUTTON])
    return about


def submit(page: Any, form: Any, about: dict[str, Any], endpoint: str, tmp_path: Path) -> int:
    """Submit ``form`` (filled by ``prepare``) as a person would; returns the status of the answer to the form's own
    request (a page load, or the fetch of a form the page's script answers in place)."""
    for picker in form.locator("input[type=file]").all() if about["files"] else ():
        name, content = FILES.get(endpoint, ("note.txt", "巡检\n"))
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        with page.expect_file_chooser() as chooser:
            picker.click()
        chooser.value.set_files(str(path))
    method = about["method"]
    with page.expect_response(lambda r: r.request.method == method
                              and r.request.resource_type in ("document", "fetch", "xhr")) as answer:
        if about["button"]:
            form.locator(SUBMIT_BUTTON).first.click()
        else:
            form.evaluate("f => f.requestSubmit()")
    page.wait_for_load_state("load")
    return int(answer.value.status)


def outcome(page: Any) -> str:
    errors = page.locator(".has-error, .flash-error, .problems li, p.error, .error-page").all_inner_texts()
    if not errors:
        return "done"
    return "refused: " + " | ".join(t.strip()[:60] for t in errors[:3])


@dataclass
class FormsRun:
    """One person's run through the forms: what each form answered, and what went wrong."""

    who: str
    base_url: str
    problems: list[str] = field(default_factory=list)
    results: dict[tuple[str, str], str] = field(default_factory=dict)
    console: list[str] = field(default_factory=list)
    codes: re.Pattern[str] = field(default_factory=walk.code_pattern)

    def submit_one(self, page: Any, target: walk.WalkPage, index: int, tmp_path: Path) -> None:
        form = page.locator(FORMS).nth(index)
        about = prepare(form)
        if about["id"] == "quiz-form":
            return  # the quiz player answers through the API (tests/browser/test_quiz_player.py)
        action = about["action"]
        where = f"{self.who} {target.url} form {index} ({action or 'itself'})"
        self.console.clear()
        try:
            status = submit(page, form, about, target.endpoint, tmp_path)
        except Exception as error:
            self.problems.append(f"{where}: could not submit: {error}")
            return
        if status >= 500:
            self.problems.append(f"{where}: status {status}")
        self.problems.extend(f"{where}: console: {m}" for m in self.console if "status of 4" not in m)
        text = page.locator("main").inner_text()
        self.problems.extend(f"{where}: internal code {m!r} in the answer"
                             for m in sorted({m.group(1) for m in self.codes.finditer(text)}))
        key = (target.endpoint, re.sub(r"/\d+", "/<id>", action.removeprefix(self.base_url)))
        self.results[key] = outcome(page)
        if target.endpoint in LAST and self.results[key] == "done":
            walk.sign_in_with(page, walk.IDENTITIES[self.who], NEW_PASSWORD)

    def check_purposes(self) -> None:
        for expected_endpoint, expected_action in MUST_SUCCEED:
            for (endpoint, action), result in self.results.items():
                if endpoint == expected_endpoint and expected_action in action and result != "done":
                    self.problems.append(f"{self.who}: the form on {endpoint} ({action}) did not do its job: {result}")

    def write_figures(self) -> None:
        figures = walk.figures_dir()
        if figures is not None:
            figures.mkdir(parents=True, exist_ok=True)
            (figures / f"forms-{self.who}.json").write_text(json.dumps(
                {f"{endpoint} {action}": result for (endpoint, action), result in self.results.items()},
                ensure_ascii=False, indent=2), encoding="utf-8")


def forms_test(*identities: str) -> Callable[..., Any]:
    """The forms' test for ``identities`` (split across modules so the two test workers share it evenly)."""

    @pytest.mark.parametrize("who", identities)
    def test_every_form_submits_once_through_the_browser(walker: walk.Walker, who: str, tmp_path: Path) -> None:
        run_forms(walker, who, tmp_path)

    return test_every_form_submits_once_through_the_browser


# A form in the page's <main> as the server sends it (no page makes a form with a script: static/js has none).
MAIN_FORM = re.compile(r"<main\b.*?<form\b", re.S)


def has_own_form(context: Any, url: str) -> bool:
    """Whether the page at ``url`` opens (below 400) with a form of its own: asked for over HTTP with the person's
    cookies, so only pages with a form are loaded in the browser (most of a person's pages have none)."""
    answer = context.request.get(url, headers={"Accept": "text/html"})
    try:
        return answer.status < 400 and MAIN_FORM.search(answer.text()) is not None
    finally:
        answer.dispose()


def run_forms(walker: walk.Walker, who: str, tmp_path: Path) -> None:
    context = walker.browser.new_context(viewport=walk.VIEWPORTS["desktop"], locale="zh-CN",
                                         base_url=walker.base_url)
    context.add_init_script(walk.CSP_LISTENER)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # a confirm() is answered yes, as the person meant to submit
    run = FormsRun(who, walker.base_url)
    page.on("console", lambda m: run.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: run.console.append(f"uncaught: {e}"))
    walk.sign_in(page, walk.IDENTITIES[who])
    targets, _ = walk.pages(walker.app, walker.found, who)
    targets.sort(key=lambda t: t.endpoint in LAST)
    for target in targets:
        if target.endpoint in walk.WALK_LAST or not has_own_form(context, target.url):
            continue
        response = page.goto(target.url)
        if response is None or response.status >= 400:
            continue
        for index in range(count_forms(page)):
            if index:
                page.goto(target.url)  # each form from the page as it first showed
                if index >= count_forms(page):
                    continue
            run.submit_one(page, target, index, tmp_path)
    run.check_purposes()
    context.close()
    run.write_figures()
    assert run.results, f"{who} found no form"
    assert run.problems == [], "\n".join(run.problems)
