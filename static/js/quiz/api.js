/* Talking to the server: one JSON request with the session's CSRF token, what an answer's status means, and the one
 * retry timer (backoff with jitter) that whatever failed (an answer, an event, the submit) waits on. */

export function csrfToken(doc) {
  return (doc.querySelector('meta[name="csrf-token"]') || {}).content || "";
}

// A 5xx, 408 or 429 is the network's or the server's passing trouble (a restart behind the load balancer, a
// gateway timeout): the change stays queued and is sent again, exactly like a dropped connection.
export function isTransient(status) { return status === 408 || status === 429 || status >= 500; }

// The session ended (signed out elsewhere, expired) or this page's CSRF token is no longer the session's (signed
// in again in another tab): no request from this page can be accepted, so none is refused for good either.
export function needsReopen(r) {
  return r.status === 401 || (r.status === 400 && (r.data.error || {}).code === "csrf_failed");
}

function NetworkError() { this.network = true; }

/** ``request(method, url, body)`` resolving to {status, ok, data}; rejects when the server cannot be reached.
 * ``reached(status)`` is told of every answer, ``unreachable()`` of every failed connection. */
export function createRequest(csrf, {reached, unreachable}) {
  return function request(method, url, body) {
    const options = {method: method, credentials: "same-origin",
                     headers: {"X-CSRFToken": csrf, "Accept": "application/json"}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      reached(response.status);
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, ok: response.ok, data: data};
      });
    }, function () {
      unreachable();
      throw new NetworkError();
    });
  };
}

// Whatever failed is sent again by one timer, after about 1 s, 2 s, 4 s … at most 30 s; each wait is a random
// 50-100 % of that ("equal jitter": phones that lost the network together do not all come back in step). The
// browser's online event, or any answer from the server, retries at once.
export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_CAP_MS = 30000;

/** The wait before the next try after ``tries`` failed tries in a row; ``random`` returns [0, 1). */
export function retryDelay(tries, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * Math.pow(2, tries));
  return ceiling / 2 + random() * ceiling / 2;
}

/** The one retry timer: ``later()`` arms it (once) with the next backoff, ``now()`` runs ``run`` at once,
 * ``due()`` says whether a retry is waiting (nothing else is sent meanwhile), ``serverBack()`` and ``reset()``
 * start the backoff again from the first step. */
export function createRetry(run, random = Math.random) {
  let timer = null;
  let failures = 0;  // failed tries in a row
  function later() {
    if (timer !== null) { return; }
    timer = setTimeout(now, retryDelay(failures, random));
    failures += 1;
  }
  function now() {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    run();
  }
  function serverBack() {
    failures = 0;
    if (timer !== null) { setTimeout(now, 0); }  // the server is back: do not wait out the backoff
  }
  return {later, now, serverBack, due() { return timer !== null; }, reset() { failures = 0; }};
}
