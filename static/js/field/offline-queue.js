/* The phone's queue of field forms that could not be sent (no signal in a village): shop visits and the day's
 * ground activities. The whole form with its photos is kept in IndexedDB (photos are Blobs, too big for
 * localStorage), one object store per kind of form, and sent later, in order, with the phone's time of the act
 * (device_at); the server flags it late-received (离线补传). The form's key makes a resend harmless: the server stores
 * it once. Modelled on the quiz player's answer queue (static/js/quiz/queue.js): sent when the connection is back
 * (the online event, then a backoff timer); a refusal is kept, shown, and may be deleted. */
import {createRetry, csrfToken, isTransient} from "../quiz/api.js";

const DB_NAME = "lms-field";
const DB_VERSION = 2;  // 1: visits only; 2: ground activities beside them
const STORES = ["visits", "activities"];

function openDb() {
  return new Promise(function (resolve, reject) {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = function () {
      STORES.forEach(function (name) {
        if (!request.result.objectStoreNames.contains(name)) {
          request.result.createObjectStore(name, {keyPath: "key"});
        }
      });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

/** One kind of queued form: {put, remove, all}. An item is
 * {key, url, device_at, label, fields: [[name, value, filename?]], refused: null | {message, problems}}. */
export function openStore(name) {
  function run(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const tx = db.transaction(name, mode);
        const result = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  return {
    put: function (item) { return run("readwrite", function (store) { return store.put(item); }); },
    remove: function (key) { return run("readwrite", function (store) { return store.delete(key); }); },
    all: function () {
      return run("readonly", function (store) { return store.getAll(); }).then(function (items) {
        return (items || []).sort(function (a, b) { return a.device_at < b.device_at ? -1 : 1; });
      });
    },
  };
}

/** The queued form as the server reads it, with the phone's time of the act. */
export function formData(item) {
  const data = new FormData();
  item.fields.forEach(function (pair) {
    if (pair[0] === "csrf_token") { return; }  // the page's current token goes in the header instead
    if (pair[1] instanceof Blob) { data.append(pair[0], pair[1], pair[2] || "photo.jpg"); }
    else { data.append(pair[0], pair[1]); }
  });
  data.append("device_at", item.device_at);
  return data;
}

/** The form's fields, files kept as Blobs with their names. */
export function fieldsOf(form) {
  const fields = [];
  new FormData(form).forEach(function (value, name) {
    if (value instanceof File) {
      if (value.size) { fields.push([name, value, value.name]); }
    } else {
      fields.push([name, value]);
    }
  });
  return fields;
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID().replace(/-/g, "")
    : String(Date.now()) + Math.random().toString(16).slice(2);
}

/** POST a form asking for a JSON answer: {status, data}; rejects when the server cannot be reached. */
export function send(url, data) {
  return fetch(url, {method: "POST", body: data, credentials: "same-origin",
                     headers: {"X-CSRFToken": csrfToken(document), "Accept": "application/json"}})
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return {status: response.status, data: body};
      });
    });
}

/** The server's refusal of a form sent at once, in a list above the form. */
export function showProblems(form, error) {
  let box = document.querySelector("ul.problems");
  if (!box) {
    box = document.createElement("ul");
    box.className = "problems";
    form.before(box);
  }
  box.replaceChildren();
  [error.message].concat(error.problems || []).forEach(function (text) {
    const li = document.createElement("li");
    li.textContent = text;
    box.append(li);
  });
  box.scrollIntoView();
}

const DEFAULT_TEXTS = {
  waiting: "{n} 条记录保存在手机上，联网后自动上传", pending: "待上传", refused: "未能上传：", remove: "删除",
  rejected: "服务器拒绝（{status}）", failed: "提交失败（{status}）",
};

/** The phone's time of a queued form as the server's pages show times: Shanghai's, month-day hour:minute. */
function when(iso) {
  return new Date(iso).toLocaleString(document.documentElement.lang || "zh-CN", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false});
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
}

/** The queue of one kind of form on a page: ``status`` says how many wait, ``list`` (optional) shows each with
 * its refusal; ``texts`` (see DEFAULT_TEXTS) are the page's words; ``onSent(count)`` after the queue sent some.
 * Sends what waits now and whenever the phone is back online. Returns {add(form, label), refresh, flush}. */
export function createOutbox(options) {
  const queue = openStore(options.store);
  const texts = Object.assign({}, DEFAULT_TEXTS, options.texts || {});
  const status = options.status;
  const list = options.list;
  let sending = false;
  let sent = 0;

  function say(text) {
    if (!status) { return; }
    status.hidden = !text;
    status.textContent = text || "";
  }

  function show(items) {
    const waiting = items.filter(function (i) { return !i.refused; }).length;
    say(waiting ? fill(texts.waiting, {n: waiting}) : "");
    if (!list) { return; }
    list.replaceChildren();
    items.forEach(function (item) {
      const li = document.createElement("li");
      li.className = "card";
      li.textContent = item.label + " · " + when(item.device_at) + " · " +
        (item.refused ? texts.refused + [item.refused.message].concat(item.refused.problems || []).join("；")
                      : texts.pending);
      if (item.refused) {
        const drop = document.createElement("button");
        drop.type = "button";
        drop.textContent = texts.remove;
        drop.addEventListener("click", function () { queue.remove(item.key).then(refresh); });
        li.append(" ", drop);
      }
      list.append(li);
    });
  }

  function refresh() { return queue.all().then(show); }

  const retry = createRetry(flush);

  function finished(items) {
    sending = false;
    show(items);
    if (sent && options.onSent) { options.onSent(sent); }
    sent = 0;
  }

  function flush() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return queue.all().then(function (items) {
      const next = items.find(function (i) { return !i.refused; });
      if (!next) { finished(items); return; }
      return send(next.url, formData(next)).then(function (r) {
        sending = false;
        if (r.status === 201) { sent += 1; retry.reset(); return queue.remove(next.key).then(refresh).then(flush); }
        if (isTransient(r.status) || r.status === 400 || r.status === 401) { retry.later(); return refresh(); }
        next.refused = (r.data && r.data.error) || {message: fill(texts.rejected, {status: r.status})};
        return queue.put(next).then(refresh).then(flush);
      }, function () {
        sending = false;
        retry.later();
        return refresh();
      });
    }, function () { sending = false; });
  }

  /** Keep the form on the phone and clear it for the next one (with a new key); the count waiting in view. */
  function add(form, label) {
    const item = {key: form.elements.client_key.value, url: form.action || location.pathname,
                  device_at: new Date().toISOString(), fields: fieldsOf(form), refused: null, label: label};
    return queue.put(item).then(function () {
      form.reset();
      form.elements.client_key.value = newKey();
      return refresh();
    }).then(function () {
      if (status) { status.scrollIntoView({block: "center"}); }
    });
  }

  window.addEventListener("online", function () { retry.now(); });
  refresh().then(flush);
  return {add: add, refresh: refresh, flush: flush, texts: texts};
}

/** Send ``form`` at once with a JSON answer, or keep it in ``outbox`` when the phone is offline, the server cannot
 * be reached or answers with a passing trouble. ``done(r)`` gets the 201 answer; a refusal is shown above the form. */
export function submitOrQueue(form, outbox, label, done) {
  if (!navigator.onLine) { return outbox.add(form, label()); }
  return send(form.action || location.pathname, new FormData(form)).then(function (r) {
    if (r.status === 201) { return done(r); }
    if (isTransient(r.status)) { return outbox.add(form, label()); }
    showProblems(form, (r.data && r.data.error) || {message: fill(outbox.texts.failed, {status: r.status})});
  }, function () { return outbox.add(form, label()); });
}
