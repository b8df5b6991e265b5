/* The quiz player (templates/attempts/take.html). The server owns the clock and the answers; this page only shows
 * them and keeps changes safe. This module wires the parts together:
 *
 * - The countdown (clock.js) is computed from the server's remaining_seconds, measured against performance.now()
 *   and resynchronised on resume, on reconnect and every minute.
 * - Every change goes into the answer queue (queue.js): numbered, kept in localStorage, sent in order, one request
 *   at a time; it survives reloads and lost connections. Whatever failed waits on one retry timer (api.js).
 * - Submitting sends every answer again with the submit and is retried until the server answers. At zero the page
 *   submits by itself.
 * - Signed out (401) or expired (the session's CSRF token changed): the page stops sending, keeps its queue and an
 *   unfinished submit, and asks to be reopened; reopened (after signing in again), it sends them.
 * - Evidence for supervisors (evidence.js): page switches, reloads, leaving, lost connections, the screen timing out.
 */
import {createRequest, createRetry, csrfToken, isTransient, needsReopen} from "./api.js";
import {createClock, dueWarnings, formatSeconds, urgency} from "./clock.js";
import {createEvidence, navigationType} from "./evidence.js";
import {createAnswerQueue} from "./queue.js";
import {answeredCount, messages, renderQuestions, saveStatus, showDone as showResult} from "./render.js";
import {browserStorage, createStore} from "./store.js";

const root = document.getElementById("quiz");
if (root) { start(root); }

function start(root) {
  const d = root.dataset;
  const msg = messages(d);
  const csrf = csrfToken(document);
  const storage = browserStorage();
  const form = document.getElementById("quiz-form");
  const timerEl = document.getElementById("quiz-timer");
  const saveEl = document.getElementById("quiz-save-status");
  const progressEl = document.getElementById("quiz-progress");
  const offlineEl = document.getElementById("quiz-offline");
  const reopenEl = document.getElementById("quiz-reopen");
  const announcer = document.getElementById("quiz-announcer");
  const messageEl = document.getElementById("quiz-message");
  const actions = document.getElementById("quiz-actions");
  const confirmBox = document.getElementById("quiz-confirm");
  const submitButton = document.getElementById("quiz-submit");

  let attempt = null;          // the last state from the server
  let store = null;            // the attempt's keys in localStorage, once it is known
  let queue = null;            // its answer queue
  let finishing = false;
  let finished = false;
  let blocked = false;         // signed out or the page expired: nothing more is sent until the page is reopened
  const announced = {};
  let submitReason = null;     // a submit waiting for the retry
  let offlineSince = null;
  const clock = createClock();
  const retry = createRetry(retryNow);
  const request = createRequest(csrf, {
    reached(status) {
      setOnline(true);
      if (!isTransient(status)) { retry.serverBack(); }
    },
    unreachable() { setOnline(false); },
  });
  const evidence = createEvidence({
    slug: d.slug, screenTimeout: Number(d.screenTimeout) || 30, storage: storage, csrf: csrf,
    running() { return attempt !== null && !finished; },
    held() { return blocked || retry.due(); },
    store() { return store; },
    url() { return d.apiBase + "/attempts/" + attempt.id + "/events"; },
    send(body) { return request("POST", d.apiBase + "/attempts/" + attempt.id + "/events", body); },
    on: {retry: retry.later, reopen: showReopen, closed: resync, returned() { resync(); flush(); }},
  });

  function clearStore() {
    ["queue", "answers", "seq", "submitting", "events"].forEach(function (n) { store.remove(n); });
  }

  // --- network ---------------------------------------------------------------------------------------------------
  function setOnline(online) {
    if (online) {
      offlineEl.hidden = true;
      if (offlineSince !== null) {
        const seconds = Math.round((Date.now() - offlineSince) / 1000);
        offlineSince = null;
        evidence.log("online", {seconds: seconds});
      }
    } else {
      offlineEl.textContent = msg("offline");
      offlineEl.hidden = false;
      if (offlineSince === null) {
        offlineSince = Date.now();
        evidence.log("offline");
      }
    }
  }
  function retryNow() {
    if (submitReason !== null && !finished) { submit(submitReason); return; }
    flush();
    evidence.flush();
  }

  // --- timer -----------------------------------------------------------------------------------------------------
  function tick() {
    if (!attempt || finished) { return; }
    const left = clock.secondsLeft();
    timerEl.textContent = formatSeconds(left);
    timerEl.classList.toggle("quiz-timer-warn", urgency(left) === "warn");
    timerEl.classList.toggle("quiz-timer-danger", urgency(left) === "danger");
    dueWarnings(left, announced).forEach(function (t) {
      announcer.textContent = t >= 60 ? msg("minutes", {n: t / 60}) : msg("seconds", {n: t});
    });
    if (left <= 0 && !finishing) {
      announcer.textContent = msg("timeup");
      submit("timer");
    }
  }
  function resync() {
    if (!attempt || finished) { return; }
    request("GET", d.apiBase + "/attempts/" + attempt.id).then(function (r) {
      if (!r.ok) { return; }
      if (r.data.status !== "in_progress") { showDone(r.data.result); return; }
      clock.sync(r.data.remaining_seconds);
      tick();
    }, function () { /* offline: keep counting locally */ });
  }

  // --- rendering -------------------------------------------------------------------------------------------------
  function render() {
    renderQuestions(form, attempt.questions, queue.answers(), d, msg, change);
    actions.hidden = false;
    updateProgress();
  }
  function updateProgress() {
    progressEl.textContent = answeredCount(attempt.questions, queue.answers()) + " / " + attempt.questions.length;
    saveEl.textContent = finished ? "" : saveStatus(queue.pending(), queue.isSending(), msg);
  }
  function showDone(result) {
    finished = true;
    finishing = true;
    clearStore();
    evidence.releaseScreen();
    timerEl.textContent = msg("submitted");
    saveEl.textContent = "";  // no "正在交卷…" beside 已交卷
    saveEl.hidden = true;
    showResult(document, result, d.resultBase + attempt.id, msg);
  }
  function showMessage(text) {
    messageEl.textContent = text;
    messageEl.hidden = false;
  }
  function showReopen() {
    blocked = true;
    reopenEl.hidden = false;
    updateProgress();
  }

  // --- saving ----------------------------------------------------------------------------------------------------
  function change(qid, body) {
    if (finished || finishing) { return; }
    queue.change(qid, body);
    updateProgress();
    flush();
  }
  function flush() {
    return queue ? queue.flush() : Promise.resolve();  // nothing to send before the attempt is known
  }
  function answerQueue() {
    return createAnswerQueue({
      store: store,
      send(qid, body) {
        return request("PUT", d.apiBase + "/attempts/" + attempt.id + "/answers/" + encodeURIComponent(qid), body);
      },
      held() { return blocked || finished || retry.due(); },
      on: {
        changed: updateProgress,
        retry: retry.later,
        reopen: showReopen,
        closed: resync,
        answered(r) {
          if (!r.ok) { showMessage((r.data.error || {}).message || String(r.status)); }
          if (typeof r.data.remaining_seconds === "number") { clock.sync(r.data.remaining_seconds); }
        },
      },
    });
  }

  // --- submitting ------------------------------------------------------------------------------------------------
  function submit(reason) {
    if (finished || blocked) { return; }
    finishing = true;
    submitReason = null;
    store.save("submitting", reason);
    confirmBox.hidden = true;
    submitButton.disabled = true;
    saveEl.textContent = msg("submitting");
    const answers = queue.answers(), seq = queue.seq(), all = {};
    Object.keys(answers).forEach(function (qid) { all[qid] = Object.assign({seq: seq}, answers[qid]); });
    request("POST", d.apiBase + "/attempts/" + attempt.id + "/submit", {answers: all, reason: reason})
      .then(function (r) {
        if (r.ok || r.status === 409) {
          queue.drop();
          clearStore();
          if (r.ok) { showDone(r.data); } else { resync(); }
          return;
        }
        if (isTransient(r.status)) {
          saveEl.textContent = msg("submitRetry");
          submitReason = reason;
          retry.later();
          return;
        }
        if (needsReopen(r)) { showReopen(); return; }  // "submitting" stays stored: the reopened page submits
        showMessage((r.data.error || {}).message || String(r.status));
        finishing = false;
        submitButton.disabled = false;
      }, function () {
        saveEl.textContent = msg("submitRetry");
        submitReason = reason;
        retry.later();
      });
  }

  window.addEventListener("online", function () { setOnline(true); retry.reset(); retry.now(); resync(); });
  window.addEventListener("offline", function () { setOnline(false); });

  // --- buttons ---------------------------------------------------------------------------------------------------
  submitButton.addEventListener("click", function () {
    const missing = attempt.questions.length - answeredCount(attempt.questions, queue.answers());
    document.getElementById("quiz-confirm-text").textContent =
      msg("confirm") + (missing ? " " + msg("unanswered", {n: missing}) : "");
    confirmBox.hidden = false;
    document.getElementById("quiz-confirm-yes").focus();
  });
  document.getElementById("quiz-confirm-yes").addEventListener("click", function () { submit("submit"); });
  document.getElementById("quiz-confirm-no").addEventListener("click", function () { confirmBox.hidden = true; });

  // --- start / resume --------------------------------------------------------------------------------------------
  function begin(state) {
    attempt = state;
    store = createStore(storage, "quiz:" + state.id + ":");
    if (state.status !== "in_progress") { showDone(state.result); return; }
    queue = answerQueue();
    queue.restore(state.answers);
    evidence.restore();
    clock.sync(state.remaining_seconds);
    render();
    tick();
    setInterval(tick, 250);
    setInterval(resync, 60000);
    evidence.keepScreenOn();
    evidence.flush();
    const pendingSubmit = store.load("submitting", null);
    if (pendingSubmit) { submit(pendingSubmit); } else { flush(); }
  }
  request("POST", d.startUrl, {arrival: evidence.arrival(navigationType())}).then(function (r) {
    if (r.ok) { begin(r.data); return; }
    showMessage(msg("error") + "：" + ((r.data.error || {}).message || r.status));
  }, function () {
    showMessage(msg("offline"));
  });
}
