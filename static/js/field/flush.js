/* Field forms kept on the phone (offline-queue.js) are sent from whatever page the person opens once the phone is
 * back online, not only from the visit or daily page that queued them: a manager who queued a visit in a village
 * and next opens the home page in town should not have to go back to the visit page for it to upload. Pages with
 * their own queue (the visit and daily pages) send it themselves and show it in full; here, a line says what was
 * sent. A refused form stays on the phone, shown on its own page. */
import {createOutbox} from "./offline-queue.js";

const note = document.getElementById("field-queue-note");
const ownQueue = document.getElementById("visit-queue-status") || document.getElementById("activity-queue-status");
if (note && !ownQueue && window.indexedDB) {
  let total = 0;
  const sent = function (count) {
    total += count;
    note.textContent = note.dataset.sent.replace("{n}", total);
    note.className = "flash flash-success";  // a flash like the server's, once there is something to say
    note.hidden = false;
  };
  ["visits", "activities"].forEach(function (store) { createOutbox({store: store, status: null, onSent: sent}); });
}
