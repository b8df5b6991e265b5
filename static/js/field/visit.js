/* The visit form on the phone and the list of visits: the position read once, on the person's tap, to sort shops
 * nearest first; the form sent as it is when the server answers, or queued on the phone (offline-queue.js) when it
 * cannot be reached, and sent when the connection is back (the online event, then a backoff timer). */
import {createOutbox, submitOrQueue} from "./offline-queue.js";

const form = document.getElementById("visit-form");
const queueStatus = document.getElementById("visit-queue-status");
const outbox = createOutbox({
  store: "visits", status: queueStatus, list: document.getElementById("visit-queue-items"),
  texts: Object.assign({}, queueStatus ? queueStatus.dataset : {}),  // the page's words, in the reader's language
});

function shopLabel() {
  const shop = form.querySelector("input[name=shop_id]:checked");
  return shop ? shop.closest("label").querySelector("span").firstChild.textContent.trim() : "";
}

if (form) {
  document.getElementById("visit-locate").addEventListener("click", function () {
    const note = document.getElementById("visit-locate-status");
    const words = this.dataset;
    if (!navigator.geolocation) { note.textContent = words.unsupported; return; }
    note.textContent = words.reading;
    navigator.geolocation.getCurrentPosition(function (position) {
      const here = new URLSearchParams({lat: position.coords.latitude.toFixed(6),
                                        lng: position.coords.longitude.toFixed(6)});
      location.search = here.toString();
    }, function () { note.textContent = words.failed; },
    {enableHighAccuracy: true, timeout: 15000, maximumAge: 0});
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = document.getElementById("visit-submit");
    button.disabled = true;
    const done = function () { button.disabled = false; };
    submitOrQueue(form, outbox, shopLabel, function (r) { location.href = r.data.url; }).then(done, done);
  });
}
