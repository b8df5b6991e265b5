/* 今日工作: the ground activity's place, read from the browser's geolocation only when the person taps the button
 * (PIPL: one reading, never tracking), into the form's hidden latitude/longitude; the activity with its photos sent
 * at once when the server answers, or kept on the phone (offline-queue.js, as visits are) when it cannot be reached
 * and sent when the connection is back, flagged late-received with the phone's time. */
import {createOutbox, submitOrQueue} from "./offline-queue.js";

const button = document.querySelector("[data-locate]");
const status = document.querySelector("[data-locate-status]");
const latitude = document.querySelector("[data-latitude]");
const longitude = document.querySelector("[data-longitude]");
const firstNote = status ? status.textContent.trim() : "";

function say(text) {
  if (status) status.textContent = text;
}

if (button && latitude && longitude) {
  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) {
      say(button.dataset.unsupported || "此浏览器无法定位，可以只填写活动地点。");
      return;
    }
    button.disabled = true;
    say(button.dataset.reading || "正在读取位置……");
    navigator.geolocation.getCurrentPosition(function (position) {
      latitude.value = position.coords.latitude.toFixed(6);
      longitude.value = position.coords.longitude.toFixed(6);
      say((button.dataset.done || "已记录位置：") + latitude.value + ", " + longitude.value);
      button.disabled = false;
    }, function () {
      say(button.dataset.failed || "无法获取位置，可以只填写活动地点。");
      button.disabled = false;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 0});
  });
}

const form = document.getElementById("activity-form");
const queueStatus = document.getElementById("activity-queue-status");
if (form && queueStatus) {
  const sentNote = document.getElementById("activity-queue-sent");
  const outbox = createOutbox({
    store: "activities", status: queueStatus, list: document.getElementById("activity-queue-items"),
    texts: Object.assign({}, queueStatus.dataset),
    onSent: function () { sentNote.hidden = false; },
  });
  sentNote.querySelector("[data-reload]").addEventListener("click", function (event) {
    event.preventDefault();
    location.reload();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const submit = document.getElementById("activity-submit");
    submit.disabled = true;
    const done = function () { submit.disabled = false; };
    const key = form.elements.client_key.value;
    submitOrQueue(form, outbox, function () { return form.elements.place.value.trim(); }, function (r) {
      history.replaceState(null, "", r.data.url);
      location.reload();
    }).then(function () {
      if (form.elements.client_key.value === key) { return; }
      // Kept on the phone and the form cleared: the position read for that activity goes with it, not the next.
      latitude.value = "";
      longitude.value = "";
      say(firstNote);
    }).then(done, done);
  });
}
