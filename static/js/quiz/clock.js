/* The countdown: the server's remaining seconds measured against the page's monotonic clock (the phone's wall clock
 * is never trusted), how the time left is written, and when it is announced. The server owns the deadline. */

export const THRESHOLDS = [600, 300, 60, 30];

/** ``sync(remainingSeconds)`` from each server answer; ``secondsLeft()`` counts down from it. */
export function createClock(now = function () { return performance.now(); }) {
  let endAt = 0;  // now() at which the timer reaches zero
  return {
    sync(remainingSeconds) { endAt = now() + remainingSeconds * 1000; },
    secondsLeft() { return Math.max(0, Math.ceil((endAt - now()) / 1000)); },
  };
}

/** 0:59, 10:00, 1:05:09. */
export function formatSeconds(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const mm = (h ? String(m).padStart(2, "0") : String(m)), ss = String(s).padStart(2, "0");
  return (h ? h + ":" : "") + mm + ":" + ss;
}

/** "danger" in the last minute, "warn" in the four before it, "" otherwise. */
export function urgency(secondsLeft) {
  if (secondsLeft <= 60) { return "danger"; }
  return secondsLeft <= 300 ? "warn" : "";
}

/** The thresholds (in seconds) to announce now, each once: within 5 s after passing it; ``announced`` remembers. */
export function dueWarnings(secondsLeft, announced) {
  return THRESHOLDS.filter(function (t) {
    if (secondsLeft <= t && secondsLeft > t - 5 && !announced[t]) {
      announced[t] = true;
      return true;
    }
    return false;
  });
}
