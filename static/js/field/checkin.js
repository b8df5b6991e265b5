/* The check-in page: on the person's tap (never before) read the location once, take the photo from the camera
 * input, and send both with the key the server gave this slot. Without a signal the check-in waits in the phone's
 * storage (photo included, as a data URL) and is sent when the network is back, marked as queued so the server
 * keeps the phone's time beside its own. The approach is the quiz player's queue (static/js/quiz/queue.js): kept in
 * localStorage, sent in order one at a time, a passing failure retried with backoff, a refusal dropped and named. */
import {csrfToken, createRetry, isTransient, needsReopen} from "../quiz/api.js";
import {browserStorage, createStore} from "../quiz/store.js";

const MAX_WIDTH = 1600;       // the server keeps at most this width too (LMS_MEDIA_IMAGE_MAX_WIDTH)
const JPEG_QUALITY = 0.85;
const GEO_OPTIONS = {enableHighAccuracy: true, timeout: 15000, maximumAge: 0};

const root = document.querySelector(".checkin-slots");
const texts = (document.getElementById("checkin-texts") || {}).dataset || {};
const banner = document.getElementById("checkin-queue");

const storage = browserStorage();
const store = storage ? createStore(storage, "field:checkin:") : null;
let items = store ? store.load("queue", []) : [];  // [{key, slot, deviceAt, fields, photo, photoName, queued}]
let sending = false;
const retry = createRetry(flush);

function section(slot) { return root.querySelector('.checkin-slot[data-slot="' + slot + '"]'); }

function setStatus(slot, text, flags) {
  const box = section(slot);
  if (!box) { return; }
  const status = box.querySelector(".checkin-status");
  status.textContent = text;
  (flags || []).forEach(function (flag) {
    const tag = document.createElement("span");
    tag.className = "tag" + (flag.bad ? " flag-bad" : "");
    tag.textContent = flag.text;
    status.append(" ", tag);
  });
}

function showError(slot, message) {
  const box = section(slot);
  const error = box && box.querySelector(".checkin-error");
  if (!error) { return; }
  error.textContent = message || "";
  error.hidden = !message;
}

function setBusy(slot, busy) {
  const button = section(slot) && section(slot).querySelector(".checkin-send");
  if (button) { button.disabled = busy; }
}

function showQueue() {
  const waiting = items.length;
  banner.hidden = !waiting || !items.some(function (i) { return i.queued; });
  banner.textContent = (texts.queued || "").replace("{count}", String(waiting));
}

/** Keep the queue on the phone; false when storage is full (photos are large): the caller says so. Unlike
 * store.save this must know, so it writes the same key itself. Without storage (blocked) it lives in memory. */
function save() {
  if (!storage) { return true; }
  try {
    storage.setItem("field:checkin:queue", JSON.stringify(items));
    return true;
  } catch (e) {
    return false;
  }
}

/** The photo as a JPEG data URL at most MAX_WIDTH wide; a file that is not an image goes as it is (the server
 * names the refusal). */
function readPhoto(file) {
  function asDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      const reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsDataURL(blob);
    });
  }
  if (!window.createImageBitmap) { return asDataUrl(file).then(function (url) { return {url, name: file.name}; }); }
  return createImageBitmap(file).then(function (bitmap) {
    const scale = Math.min(1, MAX_WIDTH / bitmap.width);
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return {url: canvas.toDataURL("image/jpeg", JPEG_QUALITY), name: "checkin.jpg"};
  }, function () {
    return asDataUrl(file).then(function (url) { return {url, name: file.name}; });
  });
}

function blobOf(dataUrl) {
  const comma = dataUrl.indexOf(",");
  const type = (dataUrl.slice(5, comma).split(";")[0]) || "application/octet-stream";
  const bytes = atob(dataUrl.slice(comma + 1));
  const array = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) { array[i] = bytes.charCodeAt(i); }
  return new Blob([array], {type: type});
}

function locate() {
  return new Promise(function (resolve) {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      resolve({latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy});
    }, function () { resolve(null); }, GEO_OPTIONS);
  });
}

function formOf(item) {
  const form = new FormData();
  form.append("slot", item.slot);
  form.append("key", item.key);
  form.append("device_at", item.deviceAt);
  form.append("queued", item.queued ? "1" : "0");
  Object.keys(item.fields).forEach(function (name) { form.append(name, item.fields[name]); });
  form.append("photo", blobOf(item.photo), item.photoName);
  return form;
}

function flagsOf(checkin) {
  const flags = [];
  if (checkin.late) { flags.push({text: texts.late, bad: true}); }
  if (checkin.early) { flags.push({text: texts.early, bad: true}); }
  if (checkin.far) { flags.push({text: texts.far, bad: true}); }
  if (checkin.no_location) { flags.push({text: texts.noLocation, bad: true}); }
  if (checkin.late_received) { flags.push({text: texts.lateReceived, bad: false}); }
  return flags;
}

function done(slot, checkin) {
  setStatus(slot, texts.done + " " + checkin.time, flagsOf(checkin));
  const form = section(slot) && section(slot).querySelector(".checkin-form");
  if (form) { form.remove(); }
}

function flush() {
  if (sending || !items.length) { showQueue(); return Promise.resolve(); }
  sending = true;
  const item = items[0];
  setStatus(item.slot, texts.sending);
  return fetch(root.dataset.submit, {
    method: "POST", credentials: "same-origin", body: formOf(item),
    headers: {"X-CSRFToken": csrfToken(document), "Accept": "application/json"},
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return {status: response.status, ok: response.ok, data: data};
    });
  }).then(function (r) {
    sending = false;
    retry.serverBack();
    if (isTransient(r.status) || needsReopen(r)) {
      item.queued = true;
      save();
      setStatus(item.slot, texts.waiting);
      showQueue();
      retry.later();
      return;
    }
    items.shift();
    save();
    if (r.ok) {
      done(item.slot, r.data.checkin);
    } else {
      setStatus(item.slot, texts.notDone);
      setBusy(item.slot, false);
      showError(item.slot, ((r.data || {}).error || {}).message || String(r.status));
    }
    showQueue();
    return flush();
  }, function () {
    sending = false;
    item.queued = true;  // no signal: it waits in the phone and counts as sent late
    save();
    setStatus(item.slot, texts.waiting);
    showQueue();
    retry.later();
  });
}

function checkIn(box) {
  const slot = box.dataset.slot;
  const input = box.querySelector('input[type="file"]');
  const file = input.files && input.files[0];
  showError(slot, "");
  if (!file) { showError(slot, texts.noPhoto); return; }
  const address = box.querySelector('[name="activity_address"]');
  if (address && !address.value.trim()) { showError(slot, texts.noAddress); return; }
  setBusy(slot, true);
  setStatus(slot, texts.locating);
  const deviceAt = new Date().toISOString();  // the moment of the tap: the server keeps it beside its own time
  Promise.all([locate(), readPhoto(file)]).then(function (found) {
    const position = found[0];
    const photo = found[1];
    const fields = {};
    box.querySelectorAll(".checkin-form input:not([type=file])").forEach(function (el) { fields[el.name] = el.value; });
    if (position) {
      fields.latitude = String(position.latitude);
      fields.longitude = String(position.longitude);
      fields.accuracy = String(position.accuracy);
    }
    items.push({key: box.dataset.key, slot: slot, deviceAt: deviceAt, fields: fields, photo: photo.url,
                photoName: photo.name, queued: !navigator.onLine});
    if (!save()) {
      items.pop();
      setBusy(slot, false);
      showError(slot, texts.full);
      return;
    }
    flush();
  });
}

function wire(box) {
  const input = box.querySelector('input[type="file"]');
  const preview = box.querySelector(".checkin-preview");
  const button = box.querySelector(".checkin-send");
  if (!input || !button) { return; }
  input.addEventListener("change", function () {
    const file = input.files && input.files[0];
    showError(box.dataset.slot, "");
    if (!file) { preview.hidden = true; return; }
    readPhoto(file).then(function (photo) {
      const isImage = photo.url.startsWith("data:image/");  // not an image: nothing to show, the send names it
      if (isImage) { preview.src = photo.url; } else { preview.removeAttribute("src"); }
      preview.hidden = !isImage;
    });
  });
  button.addEventListener("click", function () { checkIn(box); });
}

if (root) {
  root.querySelectorAll(".checkin-slot").forEach(wire);
  items.forEach(function (item) { setBusy(item.slot, true); });
  window.addEventListener("online", function () { retry.reset(); retry.now(); });
  showQueue();
  flush();
}
