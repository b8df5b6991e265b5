/* The quiz player. The server owns the clock and the answers; this page only shows them and keeps changes safe.
 *
 * - The countdown is computed from the server's remaining_seconds, measured against performance.now() (the phone's
 *   wall clock is never trusted) and resynchronised on resume, on reconnect and every minute.
 * - Every change gets a sequence number and goes into a queue kept in localStorage; the queue is sent in order,
 *   one request at a time, and survives reloads and lost connections. The server ignores an older change.
 * - Submitting sends every answer again with the submit and is retried until the server answers. At zero the page
 *   submits by itself.
 * - Signed out (401) or expired (the session's CSRF token changed): the page stops sending, keeps its queue and an
 *   unfinished submit, and asks to be reopened; reopened (after signing in again), it sends them.
 * - Evidence for supervisors: only a real switch (the page hidden, then visible again) counts; a reload, leaving the
 *   page, a hidden spell that ends with a page load, a lost connection and a screen that timed out are recorded as
 *   what they were (the kinds are in lms/attempts/rules.py). The page holds a screen wake lock while a test is open.
 */
(function () {
  "use strict";

  var root = document.getElementById("quiz");
  if (!root) { return; }
  var d = root.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var form = document.getElementById("quiz-form");
  var timerEl = document.getElementById("quiz-timer");
  var saveEl = document.getElementById("quiz-save-status");
  var progressEl = document.getElementById("quiz-progress");
  var offlineEl = document.getElementById("quiz-offline");
  var reopenEl = document.getElementById("quiz-reopen");
  var announcer = document.getElementById("quiz-announcer");
  var messageEl = document.getElementById("quiz-message");
  var actions = document.getElementById("quiz-actions");
  var confirmBox = document.getElementById("quiz-confirm");

  var attempt = null;          // the last state from the server
  var endAt = 0;               // performance.now() at which the timer reaches zero
  var answers = {};            // question id -> {choices: [...]} or {text: "..."}
  var queue = [];              // [{qid, body, seq}] not yet acknowledged, in order
  var seq = 0;
  var sending = false;
  var finishing = false;
  var finished = false;
  var blocked = false;         // signed out or the page expired: nothing more is sent until the page is reopened
  var announced = {};
  var THRESHOLDS = [600, 300, 60, 30];
  // Whatever failed (an answer, an event, the submit) is sent again by one timer, after about 1 s, 2 s, 4 s … at
  // most 30 s; each wait is a random 50-100 % of that ("equal jitter": phones that lost the network together do not
  // all come back in step). The browser's online event, or any answer from the server, retries at once.
  var BACKOFF_FIRST_MS = 1000;
  var BACKOFF_CAP_MS = 30000;
  var failures = 0;            // failed tries in a row
  var retryTimer = null;
  var submitReason = null;     // a submit waiting for the retry
  var SCREEN_TIMEOUT = Number(d.screenTimeout) || 30;
  var AWAY_KEY = "quiz:away:" + d.slug;  // per test, not per attempt: the next load reads it before it has one
  var events = [];             // [{kind, detail, t}] not yet acknowledged, in order (kept while offline)
  var sendingEvent = false;
  var lastInput = Date.now();  // the last touch, click or key
  var hiddenSince = null;      // Date.now() when the page went out of view, while it is
  var hiddenIdle = 0;          // seconds without input before that
  var hiddenLocked = false;    // the screen wake lock was held then: the screen cannot have timed out
  var unloading = false;       // pagehide seen: the hiding that follows is the page going, not a switch
  var wakeLock = null;
  var wakeLockReleasedAt = 0;
  var offlineSince = null;

  function msg(key, values) {
    var text = d["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || key;
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  // A number as people write it: 80 (not 80.0), 92.5, 6.67.
  function number(value) { return String(Math.round(value * 100) / 100); }

  // --- storage ---------------------------------------------------------------------------------------------------
  function storeKey(name) { return "quiz:" + attempt.id + ":" + name; }
  function load(name, fallback) {
    try { var v = localStorage.getItem(storeKey(name)); return v === null ? fallback : JSON.parse(v); }
    catch (e) { return fallback; }
  }
  function save(name, value) {
    try { localStorage.setItem(storeKey(name), JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function clearStore() {
    ["queue", "answers", "seq", "submitting", "events"].forEach(function (n) {
      try { localStorage.removeItem(storeKey(n)); } catch (e) { /* ignore */ }
    });
  }

  // --- network ---------------------------------------------------------------------------------------------------
  function NetworkError() { this.network = true; }
  function request(method, url, body) {
    var options = {method: method, credentials: "same-origin",
                   headers: {"X-CSRFToken": csrf, "Accept": "application/json"}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      setOnline(true);
      if (!isTransient(response.status)) {
        failures = 0;
        if (retryTimer !== null) { setTimeout(retryNow, 0); }  // the server is back: do not wait out the backoff
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, ok: response.ok, data: data};
      });
    }, function () {
      setOnline(false);
      throw new NetworkError();
    });
  }
  function setOnline(online) {
    if (online) {
      offlineEl.hidden = true;
      if (offlineSince !== null) {
        var seconds = Math.round((Date.now() - offlineSince) / 1000);
        offlineSince = null;
        logEvent("online", {seconds: seconds});
      }
    } else {
      offlineEl.textContent = msg("offline");
      offlineEl.hidden = false;
      if (offlineSince === null) {
        offlineSince = Date.now();
        logEvent("offline");
      }
    }
  }

  function retryDelay(tries) {
    var ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * Math.pow(2, tries));
    return ceiling / 2 + Math.random() * ceiling / 2;
  }
  function retryLater() {
    if (retryTimer !== null) { return; }
    retryTimer = setTimeout(retryNow, retryDelay(failures));
    failures += 1;
  }
  function retryNow() {
    if (retryTimer !== null) { clearTimeout(retryTimer); retryTimer = null; }
    if (submitReason !== null && !finished) { submit(submitReason); return; }
    flush();
    flushEvents();
  }

  // --- timer -----------------------------------------------------------------------------------------------------
  function syncClock(remainingSeconds) {
    endAt = performance.now() + remainingSeconds * 1000;
  }
  function secondsLeft() { return Math.max(0, Math.ceil((endAt - performance.now()) / 1000)); }
  function format(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)), ss = String(s).padStart(2, "0");
    return (h ? h + ":" : "") + mm + ":" + ss;
  }
  function tick() {
    if (!attempt || finished) { return; }
    var left = secondsLeft();
    timerEl.textContent = format(left);
    timerEl.classList.toggle("quiz-timer-warn", left <= 300 && left > 60);
    timerEl.classList.toggle("quiz-timer-danger", left <= 60);
    THRESHOLDS.forEach(function (t) {
      if (left <= t && left > t - 5 && !announced[t]) {
        announced[t] = true;
        announcer.textContent = t >= 60 ? msg("minutes", {n: t / 60}) : msg("seconds", {n: t});
      }
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
      syncClock(r.data.remaining_seconds);
      tick();
    }, function () { /* offline: keep counting locally */ });
  }

  // --- rendering -------------------------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function render() {
    form.textContent = "";
    attempt.questions.forEach(function (q, index) {
      var box = el("fieldset", "quiz-q card");
      box.id = "q-" + q.id;
      box.dataset.qid = q.id;
      var legend = el("legend", "quiz-q-head");
      legend.appendChild(el("span", "quiz-q-number", (index + 1) + "."));
      legend.appendChild(el("span", "tag", d["label" + q.type.charAt(0).toUpperCase() + q.type.slice(1)] || q.type));
      // The question's share of the test's max score (5 of 100), not the file's raw points.
      var points = typeof q.scaled_points === "number" ? q.scaled_points : q.points;
      legend.appendChild(el("span", "muted", msg("points", {n: number(points)})));
      box.appendChild(legend);
      var stem = el("div", "quiz-stem");
      stem.innerHTML = q.stem_html;  // sanitized by the server (nh3 allow-list)
      box.appendChild(stem);
      var current = answers[q.id] || {};
      if (q.type === "fill") {
        var input = el("input", "quiz-fill");
        input.type = "text";
        input.name = q.id;
        input.autocomplete = "off";
        input.placeholder = d.labelFillPlaceholder;
        input.setAttribute("aria-label", (index + 1) + ". " + stem.textContent);
        input.value = current.text || "";
        var timer = null;
        input.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () { change(q.id, {text: input.value}); }, 500);
        });
        input.addEventListener("change", function () { clearTimeout(timer); change(q.id, {text: input.value}); });
        box.appendChild(input);
      } else {
        var kind = q.type === "multiple" ? "checkbox" : "radio";
        q.options.forEach(function (option) {
          var label = el("label", "quiz-opt");
          var input = el("input");
          input.type = kind;
          input.name = q.id;
          input.value = option.id;
          input.checked = (current.choices || []).indexOf(option.id) >= 0;
          input.addEventListener("change", function () {
            var chosen = Array.prototype.map.call(
              form.querySelectorAll('input[name="' + CSS.escape(q.id) + '"]:checked'), function (i) { return i.value; });
            change(q.id, {choices: chosen});
          });
          label.appendChild(input);
          // A true-or-false question's options are 正确 / 错误 themselves: no T. / F. in front of them.
          if (q.type !== "truefalse") { label.appendChild(el("span", "quiz-opt-id", option.id + ".")); }
          var text = el("span", "quiz-opt-text");
          text.innerHTML = option.html;
          label.appendChild(text);
          box.appendChild(label);
        });
      }
      form.appendChild(box);
    });
    actions.hidden = false;
    updateProgress();
  }
  function answeredCount() {
    return attempt.questions.filter(function (q) {
      var a = answers[q.id];
      return a && ((a.choices && a.choices.length) || (a.text && a.text.trim()));
    }).length;
  }
  function updateProgress() {
    progressEl.textContent = answeredCount() + " / " + attempt.questions.length;
    if (queue.length) {
      saveEl.textContent = sending ? msg("saving") : msg("pending", {n: queue.length});
    } else {
      saveEl.textContent = msg("saved");
    }
  }

  // --- saving ----------------------------------------------------------------------------------------------------
  function change(qid, body) {
    if (finished || finishing) { return; }
    answers[qid] = body;
    seq += 1;
    queue.push({qid: qid, body: body, seq: seq});
    save("answers", answers);
    save("queue", queue);
    save("seq", seq);
    updateProgress();
    flush();
  }
  // A 5xx, 408 or 429 is the network's or the server's passing trouble (a restart behind the load balancer, a
  // gateway timeout): the change stays queued and is sent again, exactly like a dropped connection.
  function isTransient(status) { return status === 408 || status === 429 || status >= 500; }
  // The session ended (signed out elsewhere, expired) or this page's CSRF token is no longer the session's (signed
  // in again in another tab): no request from this page can be accepted, so none is refused for good either.
  function needsReopen(r) {
    return r.status === 401 || (r.status === 400 && (r.data.error || {}).code === "csrf_failed");
  }
  function showReopen() {
    blocked = true;
    reopenEl.hidden = false;
    updateProgress();
  }
  function flush() {
    // While a retry is due, changes only queue: the timer sends them (not one request per change, offline).
    if (sending || blocked || !queue.length || finished || retryTimer !== null) { return Promise.resolve(); }
    sending = true;
    updateProgress();
    var item = queue[0];
    var body = Object.assign({seq: item.seq}, item.body);
    return request("PUT", d.apiBase + "/attempts/" + attempt.id + "/answers/" + encodeURIComponent(item.qid), body)
      .then(function (r) {
        sending = false;
        if (isTransient(r.status)) { updateProgress(); retryLater(); return; }
        if (needsReopen(r)) { showReopen(); return; }
        if (r.status === 409) { queue = []; save("queue", queue); resync(); return; }
        queue.shift();  // saved, or refused for good (4xx): either way it must not block the rest
        save("queue", queue);
        if (!r.ok) { showMessage((r.data.error || {}).message || String(r.status)); }
        if (typeof r.data.remaining_seconds === "number") { syncClock(r.data.remaining_seconds); }
        updateProgress();
        return flush();
      }, function () {
        sending = false;
        updateProgress();
        retryLater();
      });
  }

  // --- submitting ------------------------------------------------------------------------------------------------
  function submit(reason) {
    if (finished || blocked) { return; }
    finishing = true;
    submitReason = null;
    save("submitting", reason);
    confirmBox.hidden = true;
    document.getElementById("quiz-submit").disabled = true;
    saveEl.textContent = msg("submitting");
    var all = {};
    Object.keys(answers).forEach(function (qid) { all[qid] = Object.assign({seq: seq}, answers[qid]); });
    request("POST", d.apiBase + "/attempts/" + attempt.id + "/submit", {answers: all, reason: reason})
      .then(function (r) {
        if (r.ok || r.status === 409) {
          queue = [];
          clearStore();
          if (r.ok) { showDone(r.data); } else { resync(); }
          return;
        }
        if (isTransient(r.status)) {
          saveEl.textContent = msg("submitRetry");
          submitReason = reason;
          retryLater();
          return;
        }
        if (needsReopen(r)) { showReopen(); return; }  // "submitting" stays stored: the reopened page submits
        showMessage((r.data.error || {}).message || String(r.status));
        finishing = false;
        document.getElementById("quiz-submit").disabled = false;
      }, function () {
        saveEl.textContent = msg("submitRetry");
        submitReason = reason;
        retryLater();
      });
  }
  function showDone(result) {
    finished = true;
    finishing = true;
    clearStore();
    if (wakeLock) { wakeLock.release().catch(function () { /* already released */ }); }
    form.hidden = true;
    actions.hidden = true;
    timerEl.textContent = msg("submitted");
    var done = document.getElementById("quiz-done");
    if (result && typeof result.score === "number") {
      document.getElementById("quiz-done-score").textContent = number(result.score) + " / " + number(result.max_score);
    }
    document.getElementById("quiz-done-link").href = d.resultBase + attempt.id;
    done.hidden = false;
    document.getElementById("quiz-done-link").focus();
  }
  function showMessage(text) {
    messageEl.textContent = text;
    messageEl.hidden = false;
  }

  // --- evidence for supervisors ----------------------------------------------------------------------------------
  function remember(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function recall(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }
  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
  }
  // Events wait in order (and in localStorage) until the server has them; one sent late says how many seconds ago
  // it happened ("delay"), and the server dates it that much earlier.
  function logEvent(kind, detail) {
    if (!attempt || finished) { return; }
    events.push({kind: kind, detail: detail || {}, t: Date.now()});
    save("events", events);
    flushEvents();
  }
  function flushEvents() {
    if (sendingEvent || blocked || finished || !attempt || !events.length || retryTimer !== null) { return; }
    sendingEvent = true;
    var item = events[0];
    var detail = Object.assign({}, item.detail);
    var delay = Math.round((Date.now() - item.t) / 1000);
    if (delay >= 1) { detail.delay = delay; }
    request("POST", d.apiBase + "/attempts/" + attempt.id + "/events", {kind: item.kind, detail: detail})
      .then(function (r) {
        sendingEvent = false;
        if (isTransient(r.status)) { retryLater(); return; }
        if (needsReopen(r)) { showReopen(); return; }
        events.shift();  // logged, or refused for good
        save("events", events);
        if (r.data.status && r.data.status !== "in_progress") { resync(); return; }
        flushEvents();
      }, function () {
        sendingEvent = false;
        retryLater();
      });
  }
  // A screen wake lock while the test is open: the phone's screen does not time out in the middle of a question.
  // The browser releases it whenever the page is hidden; it is asked for again when the page is back.
  var wakeLockAskedAt = 0;
  function keepScreenOn() {
    if (!navigator.wakeLock || wakeLock || finished || !attempt || document.visibilityState !== "visible") { return; }
    wakeLockAskedAt = Date.now();
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; wakeLockReleasedAt = Date.now(); });
    }, function () { /* refused (battery saver, policy): the screen may time out; see pageHidden */ });
  }
  ["pointerdown", "keydown", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () {
      lastInput = Date.now();
      // Some browsers grant the lock only after a touch: ask again then, not more than every 10 s.
      if (!wakeLock && lastInput - wakeLockAskedAt > 10000) { keepScreenOn(); }
    }, {capture: true, passive: true});
  });
  function pageHidden() {
    if (unloading || hiddenSince !== null || !attempt || finished) { return; }
    hiddenSince = Date.now();
    hiddenIdle = Math.round((hiddenSince - lastInput) / 1000);
    // The browser may release the lock just before telling the page it is hidden.
    hiddenLocked = wakeLock !== null || hiddenSince - wakeLockReleasedAt < 2000;
    remember(AWAY_KEY, {at: hiddenSince, hidden: true});  // if the spell ends with a page load, that page says so
    logEvent("page_hidden", {idle_seconds: hiddenIdle});
  }
  function pageVisible() {
    if (hiddenSince === null) { return; }
    var seconds = Math.round((Date.now() - hiddenSince) / 1000);
    // Without a wake lock, a spell that began after the screen timeout without input is the screen going dark.
    var timedOut = !hiddenLocked && hiddenIdle >= SCREEN_TIMEOUT;
    hiddenSince = null;
    forget(AWAY_KEY);
    logEvent(timedOut ? "screen_off" : "tab_switch", {seconds: seconds, idle_seconds: hiddenIdle});
    keepScreenOn();
    resync();
    flush();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { pageHidden(); } else { pageVisible(); }
  });
  // Reload, a link, back, closing the tab. Sent at once (keepalive), not queued: the next load would send it again.
  window.addEventListener("pagehide", function () {
    if (!attempt || finished) { return; }
    unloading = true;
    remember(AWAY_KEY, hiddenSince !== null ? {at: hiddenSince, hidden: true} : {at: Date.now()});
    fetch(d.apiBase + "/attempts/" + attempt.id + "/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json"},
      body: JSON.stringify({kind: "page_leave", detail: {}})
    }).catch(function () { /* offline: the next load reports the return */ });
  });
  // Back to this page from the back/forward cache: a return, like a new load.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !attempt || finished) { return; }
    unloading = false;
    logEvent("page_return", arrival("back_forward"));
    keepScreenOn();
    resync();
    flush();
  });
  // How this page came to a running attempt, told with the start request: a reload, or opened again after leaving
  // or hiding the page ("a hidden spell that ends with a page load" is a leave, not a switch).
  function arrival(navigation) {
    var away = recall(AWAY_KEY);
    forget(AWAY_KEY);
    var said = {kind: navigation === "reload" ? "page_reload" : "page_return", navigation: navigation};
    if (away && typeof away.at === "number") {
      var seconds = Math.max(0, Math.round((Date.now() - away.at) / 1000));
      said[away.hidden ? "hidden_seconds" : "away_seconds"] = seconds;
    }
    return said;
  }
  function navigationType() {
    var entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    return (entry && entry.type) || "navigate";
  }
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) { logEvent("fullscreen_exit"); }
  });
  window.addEventListener("online", function () { setOnline(true); failures = 0; retryNow(); resync(); });
  window.addEventListener("offline", function () { setOnline(false); });

  // --- buttons ---------------------------------------------------------------------------------------------------
  document.getElementById("quiz-submit").addEventListener("click", function () {
    var missing = attempt.questions.length - answeredCount();
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
    if (state.status !== "in_progress") { showDone(state.result); return; }
    answers = {};
    Object.keys(state.answers).forEach(function (qid) {
      var a = state.answers[qid];
      answers[qid] = a.text !== null && a.text !== undefined ? {text: a.text} : {choices: a.choices};
    });
    // What this phone changed but the server has not acknowledged yet wins over the server's copy.
    queue = load("queue", []);
    seq = Math.max(load("seq", 0), 0);
    Object.keys(state.answers).forEach(function (qid) { seq = Math.max(seq, state.answers[qid].seq || 0); });
    var local = load("answers", {});
    queue.forEach(function (item) { answers[item.qid] = local[item.qid] || item.body; });
    events = load("events", []);
    syncClock(state.remaining_seconds);
    render();
    tick();
    setInterval(tick, 250);
    setInterval(resync, 60000);
    keepScreenOn();
    flushEvents();
    var pendingSubmit = load("submitting", null);
    if (pendingSubmit) { submit(pendingSubmit); } else { flush(); }
  }
  request("POST", d.startUrl, {arrival: arrival(navigationType())}).then(function (r) {
    if (r.ok) { begin(r.data); return; }
    showMessage(msg("error") + "：" + ((r.data.error || {}).message || r.status));
  }, function () {
    showMessage(msg("offline"));
  });
})();

/* The wrong-answer book (错题本): 检查 answers in place. Without JavaScript the form posts and the page comes back at
 * the same item with the answer kept; with it, the answer is checked through the API and shown under the item, the
 * choice stays as it is and the page does not move.
 */
(function () {
  "use strict";

  var list = document.getElementById("wa-list");
  if (!list || !window.fetch) { return; }
  var d = list.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function show(item, data) {
    var result = item.querySelector(".wa-result");
    result.textContent = "";
    result.appendChild(el("p", data.correct ? "status-pass" : "status-fail", data.correct ? d.msgRight : d.msgWrong));
    var answer = el("p");
    var parts = d.msgAnswer.split("{answer}");
    answer.appendChild(document.createTextNode(parts[0]));
    var words = el("span");
    words.innerHTML = data.answer_html.join(d.separator || "；");  // sanitized by the server (nh3 allow-list)
    answer.appendChild(words);
    answer.appendChild(document.createTextNode(parts[1] || ""));
    result.appendChild(answer);
    if (data.explanation_html) {
      var explanation = el("div", "quiz-explanation");
      explanation.innerHTML = data.explanation_html;  // sanitized by the server
      result.appendChild(explanation);
    }
    if (data.newly_mastered) { result.appendChild(el("p", "status-pass", d.msgMastered)); }
    Array.prototype.forEach.call(item.querySelectorAll(".wa-mark"), function (mark) { mark.remove(); });
    (data.correct_choices || []).forEach(function (id) {
      var option = item.querySelector('.quiz-opt[data-option="' + CSS.escape(id) + '"]');
      if (option) { option.appendChild(el("span", "quiz-answer-right wa-mark", " ✔ " + d.msgCorrectOption)); }
    });
    var progress = item.querySelector(".wa-progress");
    if (progress) {
      progress.textContent = data.correct_days ?
        d.msgProgress.replace("{n}", data.correct_days).replace("{total}", data.mastery_days) : "";
    }
  }
  function failed(item, message) {
    var result = item.querySelector(".wa-result");
    result.textContent = "";
    result.appendChild(el("p", "status-fail", message));
  }
  list.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("wa-check")) { return; }
    event.preventDefault();
    var item = form.closest(".wa-item");
    var body = {attempt_id: Number(form.dataset.attemptId), question_id: form.dataset.questionId};
    var text = form.querySelector('input[name="text"]');
    if (text) {
      body.text = text.value;
    } else {
      body.choices = Array.prototype.map.call(form.querySelectorAll('input[name="choice"]:checked'),
                                              function (input) { return input.value; });
    }
    var button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    fetch(d.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { show(item, data); return; }
        failed(item, (data.error || {}).message || d.msgError);  // the server's words (e.g. 答案尚未公布)
      });
    }, function () {
      failed(item, d.msgError);  // offline
    }).then(function () { button.disabled = false; });
  });
})();
