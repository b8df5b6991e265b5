/* The offline answer queue: this page's answers and the changes the server has not acknowledged yet, each with the
 * next sequence number, kept in storage (they survive a reload and a lost connection) and sent in order, one at a time.
 * The server ignores a change older than the one it has, so resending after a lost answer is harmless. */
import {isTransient, needsReopen} from "./api.js";

/**
 * options.store: load(name, fallback) / save(name, value) for one attempt (store.js): "queue", "answers", "seq".
 * options.send(qid, body): the PUT of one change ({seq, choices} or {seq, text}); resolves to {status, ok, data},
 *   rejects when the server cannot be reached.
 * options.held(): true while nothing may be sent (a retry is due, the page must be reopened, the test is over).
 * options.on: changed() the count or the sending state changed; retry() a send failed for passing reasons;
 *   reopen() signed out or expired; closed(refusal) the server refused late (409): the queue is dropped;
 *   answered(r) a change was acknowledged, or refused for good (4xx): it is dropped either way.
 */
export function createAnswerQueue(options) {
  const store = options.store;
  const held = options.held || function () { return false; };
  const on = Object.assign({changed() {}, retry() {}, reopen() {}, closed() {}, answered() {}}, options.on);
  let answers = {};   // question id -> {choices: [...]} or {text: "..."}
  let items = [];     // [{qid, body, seq}] not yet acknowledged, in order
  let seq = 0;
  let sending = false;
  let refusal = null;  // the server's error of a late refusal (409), once one came

  /** The server's answers of a running attempt, overlaid with what this phone changed and the server has not
   * acknowledged yet (that wins); sequence numbers go on above both. */
  function restore(serverAnswers) {
    answers = {};
    Object.keys(serverAnswers).forEach(function (qid) {
      const a = serverAnswers[qid];
      answers[qid] = a.text !== null && a.text !== undefined ? {text: a.text} : {choices: a.choices};
    });
    items = store.load("queue", []);
    seq = Math.max(store.load("seq", 0), 0);
    Object.keys(serverAnswers).forEach(function (qid) { seq = Math.max(seq, serverAnswers[qid].seq || 0); });
    const local = store.load("answers", {});
    items.forEach(function (item) { answers[item.qid] = local[item.qid] || item.body; });
  }

  function change(qid, body) {
    answers[qid] = body;
    seq += 1;
    items.push({qid: qid, body: body, seq: seq});
    store.save("answers", answers);
    store.save("queue", items);
    store.save("seq", seq);
  }

  function flush() {
    // While a retry is due, changes only queue: the timer sends them (not one request per change, offline).
    if (sending || !items.length || held()) { return Promise.resolve(); }
    sending = true;
    on.changed();
    const item = items[0];
    const body = Object.assign({seq: item.seq}, item.body);
    return options.send(item.qid, body).then(function (r) {
      sending = false;
      if (isTransient(r.status)) { on.changed(); on.retry(); return; }
      if (needsReopen(r)) { on.reopen(); return; }
      if (r.status === 409) {
        items = [];
        store.save("queue", items);
        refusal = (r.data || {}).error || {};
        on.closed(refusal);
        return;
      }
      items.shift();  // saved, or refused for good (4xx): either way it must not block the rest
      store.save("queue", items);
      on.answered(r);
      on.changed();
      return flush();
    }, function () {
      sending = false;
      on.changed();
      on.retry();
    });
  }

  return {
    restore, change, flush,
    drop() { items = []; },  // submitted: the submit carried every answer
    answers() { return answers; },
    seq() { return seq; },
    pending() { return items.length; },
    isSending() { return sending; },
    refusal() { return refusal; },
  };
}
