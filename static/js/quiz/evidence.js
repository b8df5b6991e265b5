/* Evidence for supervisors: only a real switch (the page hidden, then visible again) counts; a reload, leaving the
 * page, a hidden spell that ends with a page load, a lost connection and a screen that timed out are recorded as what
 * they were (the kinds are in lms/attempts/rules.py). The page holds a screen wake lock while a test is open. */
import {isTransient, needsReopen} from "./api.js";
import {createStore} from "./store.js";

/** How this page was loaded: "navigate", "reload", "back_forward". */
export function navigationType() {
  const entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  return (entry && entry.type) || "navigate";
}

/**
 * options.slug, options.screenTimeout (seconds), options.storage (store.js's browserStorage()), options.csrf.
 * options.running(): an attempt is open and not finished; options.held(): nothing may be sent now.
 * options.store(): the running attempt's store ("events"); options.url(): its events URL.
 * options.send(body): the POST of one event through the page's request (api.js).
 * options.on: retry() a send failed for passing reasons; reopen() signed out or expired; closed() the attempt is no
 *   longer running on the server; returned() the page is back in view (resynchronise, send what waits).
 */
export function createEvidence(options) {
  const on = options.on;
  const away = createStore(options.storage, "");
  const AWAY_KEY = "quiz:away:" + options.slug;  // per test, not per attempt: the next load reads it before it has one
  let events = [];             // [{kind, detail, t}] not yet acknowledged, in order (kept while offline)
  let sendingEvent = false;
  let lastInput = Date.now();  // the last touch, click or key
  let hiddenSince = null;      // Date.now() when the page went out of view, while it is
  let hiddenIdle = 0;          // seconds without input before that
  let hiddenLocked = false;    // the screen wake lock was held then: the screen cannot have timed out
  let unloading = false;       // pagehide seen: the hiding that follows is the page going, not a switch
  let wakeLock = null;
  let wakeLockReleasedAt = 0;
  let wakeLockAskedAt = 0;

  // Events wait in order (and in localStorage) until the server has them; one sent late says how many seconds ago
  // it happened ("delay"), and the server dates it that much earlier.
  function log(kind, detail) {
    if (!options.running()) { return; }
    events.push({kind: kind, detail: detail || {}, t: Date.now()});
    options.store().save("events", events);
    flush();
  }
  function flush() {
    if (sendingEvent || options.held() || !options.running() || !events.length) { return; }
    sendingEvent = true;
    const item = events[0];
    const detail = Object.assign({}, item.detail);
    const delay = Math.round((Date.now() - item.t) / 1000);
    if (delay >= 1) { detail.delay = delay; }
    options.send({kind: item.kind, detail: detail}).then(function (r) {
      sendingEvent = false;
      if (isTransient(r.status)) { on.retry(); return; }
      if (needsReopen(r)) { on.reopen(); return; }
      events.shift();  // logged, or refused for good
      options.store().save("events", events);
      if (r.data.status && r.data.status !== "in_progress") { on.closed(); return; }
      flush();
    }, function () {
      sendingEvent = false;
      on.retry();
    });
  }
  function restore() { events = options.store().load("events", []); }

  // A screen wake lock while the test is open: the phone's screen does not time out in the middle of a question.
  // The browser releases it whenever the page is hidden; it is asked for again when the page is back.
  function keepScreenOn() {
    if (!navigator.wakeLock || wakeLock || !options.running() || document.visibilityState !== "visible") { return; }
    wakeLockAskedAt = Date.now();
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; wakeLockReleasedAt = Date.now(); });
    }, function () { /* refused (battery saver, policy): the screen may time out; see pageHidden */ });
  }
  function releaseScreen() {
    if (wakeLock) { wakeLock.release().catch(function () { /* already released */ }); }
  }
  ["pointerdown", "keydown", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, function () {
      lastInput = Date.now();
      // Some browsers grant the lock only after a touch: ask again then, not more than every 10 s.
      if (!wakeLock && lastInput - wakeLockAskedAt > 10000) { keepScreenOn(); }
    }, {capture: true, passive: true});
  });
  function pageHidden() {
    if (unloading || hiddenSince !== null || !options.running()) { return; }
    hiddenSince = Date.now();
    hiddenIdle = Math.round((hiddenSince - lastInput) / 1000);
    // The browser may release the lock just before telling the page it is hidden.
    hiddenLocked = wakeLock !== null || hiddenSince - wakeLockReleasedAt < 2000;
    away.save(AWAY_KEY, {at: hiddenSince, hidden: true});  // if the spell ends with a page load, that page says so
    log("page_hidden", {idle_seconds: hiddenIdle});
  }
  function pageVisible() {
    if (hiddenSince === null) { return; }
    const seconds = Math.round((Date.now() - hiddenSince) / 1000);
    // Without a wake lock, a spell that began after the screen timeout without input is the screen going dark.
    const timedOut = !hiddenLocked && hiddenIdle >= options.screenTimeout;
    hiddenSince = null;
    away.remove(AWAY_KEY);
    log(timedOut ? "screen_off" : "tab_switch", {seconds: seconds, idle_seconds: hiddenIdle});
    keepScreenOn();
    on.returned();
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { pageHidden(); } else { pageVisible(); }
  });
  // Reload, a link, back, closing the tab. Sent at once (keepalive), not queued: the next load would send it again.
  window.addEventListener("pagehide", function () {
    if (!options.running()) { return; }
    unloading = true;
    away.save(AWAY_KEY, hiddenSince !== null ? {at: hiddenSince, hidden: true} : {at: Date.now()});
    fetch(options.url(), {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"X-CSRFToken": options.csrf, "Content-Type": "application/json"},
      body: JSON.stringify({kind: "page_leave", detail: {}})
    }).catch(function () { /* offline: the next load reports the return */ });
  });
  // Back to this page from the back/forward cache: a return, like a new load.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !options.running()) { return; }
    unloading = false;
    log("page_return", arrival("back_forward"));
    keepScreenOn();
    on.returned();
  });
  // How this page came to a running attempt, told with the start request: a reload, or opened again after leaving
  // or hiding the page ("a hidden spell that ends with a page load" is a leave, not a switch).
  function arrival(navigation) {
    const said = {kind: navigation === "reload" ? "page_reload" : "page_return", navigation: navigation};
    const left = away.load(AWAY_KEY, null);
    away.remove(AWAY_KEY);
    if (left && typeof left.at === "number") {
      const seconds = Math.max(0, Math.round((Date.now() - left.at) / 1000));
      said[left.hidden ? "hidden_seconds" : "away_seconds"] = seconds;
    }
    return said;
  }
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) { log("fullscreen_exit"); }
  });

  return {log, flush, restore, keepScreenOn, releaseScreen, arrival};
}
