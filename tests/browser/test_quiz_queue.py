"""The quiz player's answer queue (static/js/quiz/queue.js) and clock (clock.js), driven in Chromium with a fake send.

The modules are imported by a page of the live server (same origin, the site's own CSP), so what runs is exactly what
the player loads. ``window.harness`` builds a queue over localStorage whose ``send`` answers from a script: each entry
is a status, or "offline" (the request fails). The fake server keeps, per question, the change with the highest
sequence number and acknowledges any other (older, or the same again) without applying it, as the real one does.
"""

from __future__ import annotations

from typing import Any

from tests.support.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS

HARNESS = """async () => {
  const {createAnswerQueue} = await import("/static/js/quiz/queue.js");
  const {createStore} = await import("/static/js/quiz/store.js");
  window.harness = (script) => {
    const h = {sent: [], server: {}, retries: 0, reopened: 0, closed: [], messages: [], due: false};
    h.queue = createAnswerQueue({
      store: createStore(localStorage, "quiz:7:"),
      send(qid, body) {
        h.sent.push([qid, body.seq]);
        const next = script.length ? script.shift() : 200;
        if (next === "offline") { return Promise.reject(new Error("offline")); }
        if (next === "lost") {  // the server applies the change, but its answer never arrives
          h.apply(qid, body);
          return Promise.reject(new Error("connection reset"));
        }
        if (next === 409) {
          return Promise.resolve({status: 409, ok: false,
                                  data: {error: {code: "closed", message: "考试已结束，答案未保存"}}});
        }
        if (next === 200) { h.apply(qid, body); }
        return Promise.resolve({status: next, ok: next < 300, data: {}});
      },
      held() { return h.due; },
      on: {
        retry() { h.due = true; },
        reopen() { h.reopened += 1; },
        closed(refusal) { h.closed.push(refusal); },
        answered(r) { if (!r.ok) { h.messages.push(r.status); } },
      },
    });
    h.apply = (qid, body) => {
      const kept = h.server[qid];
      if (!kept || body.seq > kept.seq) { h.server[qid] = body; }
    };
    // The retry timer firing: what waited goes out, in order.
    h.retry = () => { h.due = false; return h.queue.flush(); };
    h.stored = (name) => JSON.parse(localStorage.getItem("quiz:7:" + name));
    window.h = h;
    return true;
  };
}"""


def open_harness(page: Any, script: list[Any] | None = None, server_answers: dict[str, Any] | None = None) -> None:
    if not page.url.endswith("/login"):
        page.goto("/login")
    page.evaluate(HARNESS)
    page.evaluate("([script, answers]) => { harness(script); h.queue.restore(answers); }",
                  [script or [], server_answers or {}])


def change(page: Any, *changes: tuple[str, dict[str, Any]]) -> None:
    page.evaluate("changes => changes.forEach(([qid, body]) => h.queue.change(qid, body))", list(changes))


def flush(page: Any) -> None:
    page.evaluate("() => h.queue.flush()")  # awaited: resolves when the queue is empty or waits for a retry


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => ({sent: h.sent, server: h.server, pending: h.queue.pending(), due: h.due,
        retries: h.retries, closed: h.closed, messages: h.messages, stored: h.stored("queue"), seq: h.stored("seq"),
        answers: h.queue.answers(), refusal: h.queue.refusal()})""")


def assert_never_older_after_newer(sent: list[list[Any]]) -> None:
    last: dict[str, int] = {}
    for qid, seq in sent:
        assert seq >= last.get(qid, 0), sent
        last[qid] = seq


def test_changes_are_sent_one_at_a_time_in_the_order_they_were_made(page):
    open_harness(page)
    change(page, ("q1", {"choices": ["A"]}), ("q2", {"text": "B2B"}), ("q1", {"choices": ["B"]}))
    assert state(page)["stored"] == [
        {"qid": "q1", "body": {"choices": ["A"]}, "seq": 1},
        {"qid": "q2", "body": {"text": "B2B"}, "seq": 2},
        {"qid": "q1", "body": {"choices": ["B"]}, "seq": 3},
    ]
    # A second flush while the first request is out sends nothing more: one request at a time.
    page.evaluate("() => Promise.all([h.queue.flush(), h.queue.flush()])")
    now = state(page)
    assert now["sent"] == [["q1", 1], ["q2", 2], ["q1", 3]]
    assert (now["pending"], now["stored"], now["seq"]) == (0, [], 3)
    assert now["server"] == {"q1": {"seq": 3, "choices": ["B"]}, "q2": {"seq": 2, "text": "B2B"}}


def test_a_failed_send_holds_the_rest_and_an_older_change_never_follows_a_newer_one(page):
    open_harness(page, ["offline", 503])
    change(page, ("q1", {"choices": ["A"]}))
    flush(page)
    assert state(page)["due"] is True  # the retry timer is armed: changes meanwhile only queue
    change(page, ("q2", {"choices": ["C"]}), ("q1", {"choices": ["B"]}))
    flush(page)
    assert state(page)["sent"] == [["q1", 1]]  # nothing went out while the retry was due

    page.evaluate("() => h.retry()")  # 503: passing trouble, the same change again later
    assert state(page)["sent"] == [["q1", 1], ["q1", 1]]
    page.evaluate("() => h.retry()")
    now = state(page)
    assert now["sent"] == [["q1", 1], ["q1", 1], ["q1", 1], ["q2", 2], ["q1", 3]]
    assert_never_older_after_newer(now["sent"])
    assert now["server"]["q1"] == {"seq": 3, "choices": ["B"]}
    assert (now["pending"], now["messages"]) == (0, [])


def test_a_change_refused_for_good_is_dropped_and_does_not_block_the_rest(page):
    open_harness(page, [422])
    change(page, ("q1", {"choices": ["Z"]}), ("q2", {"choices": ["A"]}))
    flush(page)
    now = state(page)
    assert now["sent"] == [["q1", 1], ["q2", 2]]
    assert (now["pending"], now["messages"], now["due"]) == (0, [422], False)


def test_the_queue_survives_a_reload_and_is_replayed_in_order_after_it(page):
    open_harness(page, ["offline"])
    change(page, ("q1", {"choices": ["A"]}), ("q2", {"choices": ["B"]}), ("q1", {"choices": ["C"]}))
    flush(page)
    assert state(page)["pending"] == 3

    page.reload()
    # The server has q3 at sequence 5 (sent from this phone before): new changes are numbered above it, and the
    # unacknowledged changes win over the server's copy of the same question.
    open_harness(page, server_answers={"q1": {"choices": ["B"], "text": None, "seq": 0},
                                       "q3": {"choices": [], "text": "B2B", "seq": 5}})
    restored = state(page)
    assert restored["pending"] == 3
    assert restored["answers"] == {"q1": {"choices": ["C"]}, "q2": {"choices": ["B"]}, "q3": {"text": "B2B"}}
    change(page, ("q2", {"choices": ["A"]}))
    flush(page)
    now = state(page)
    assert now["sent"] == [["q1", 1], ["q2", 2], ["q1", 3], ["q2", 6]]
    assert (now["pending"], now["stored"], now["seq"]) == (0, [], 6)


def test_a_late_refusal_stops_replaying_the_attempt_and_keeps_the_reason(page):
    open_harness(page, [409])
    change(page, ("q1", {"choices": ["A"]}), ("q2", {"choices": ["B"]}), ("q3", {"text": "x"}))
    flush(page)
    now = state(page)
    assert now["sent"] == [["q1", 1]]  # the rest is not sent: the server has closed the attempt
    assert (now["pending"], now["stored"]) == (0, [])
    reason = {"code": "closed", "message": "考试已结束，答案未保存"}
    assert (now["refusal"], now["closed"]) == (reason, [reason])
    assert now["server"] == {}


def test_a_duplicate_acknowledgement_is_harmless(page):
    # The first answer is lost after the server applied the change: the same change goes again and is acknowledged
    # a second time; the queue drops it once, and the next change still goes out.
    open_harness(page, ["lost"])
    change(page, ("q1", {"choices": ["A"]}), ("q1", {"choices": ["B"]}))
    flush(page)
    page.evaluate("() => h.retry()")
    now = state(page)
    assert now["sent"] == [["q1", 1], ["q1", 1], ["q1", 2]]
    assert now["server"] == {"q1": {"seq": 2, "choices": ["B"]}}
    assert (now["pending"], now["stored"]) == (0, [])


def test_signed_out_stops_sending_and_keeps_the_change(page):
    open_harness(page, [401])
    change(page, ("q1", {"choices": ["A"]}))
    flush(page)
    now = state(page)
    assert page.evaluate("h.reopened") == 1
    assert (now["pending"], len(now["stored"])) == (1, 1)


def test_the_clock_counts_down_from_the_server_and_is_written_as_people_read_it(page):
    page.goto("/login")
    got = page.evaluate("""async () => {
      const c = await import("/static/js/quiz/clock.js");
      const api = await import("/static/js/quiz/api.js");
      let now = 1000;
      const clock = c.createClock(() => now);
      clock.sync(90);
      const counted = [clock.secondsLeft()];
      now += 500; counted.push(clock.secondsLeft());
      now += 100000; counted.push(clock.secondsLeft());
      const announced = {};
      return {
        formats: [0, 9, 59, 60, 600, 3599, 3600, 3661, 7325].map(c.formatSeconds),
        urgency: [301, 300, 61, 60, 0].map(c.urgency),
        counted,
        warnings: [[601], [600], [598], [299], [61], [60], [30], [24]].map(([s]) => c.dueWarnings(s, announced)),
        delays: [0, 1, 2, 5, 10].map(n => [api.retryDelay(n, () => 0), api.retryDelay(n, () => 1)]),
      };
    }""")
    assert got["formats"] == ["0:00", "0:09", "0:59", "1:00", "10:00", "59:59", "1:00:00", "1:01:01", "2:02:05"]
    assert got["urgency"] == ["", "warn", "warn", "danger", "danger"]
    assert got["counted"] == [90, 90, 0]
    assert got["warnings"] == [[], [600], [], [300], [], [60], [30], []]
    assert got["delays"] == [[500, 1000], [1000, 2000], [2000, 4000], [15000, 30000], [15000, 30000]]
