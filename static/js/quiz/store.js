/* The page's keys in localStorage: JSON in and out, and memory only where the browser refuses storage (private mode,
 * storage blocked). Used for one attempt's queue and events ("quiz:<attempt>:<name>") and the test's away mark. */

/** localStorage, or null where even reaching it throws (storage blocked): every store call then falls back. */
export function browserStorage() {
  try { return window.localStorage; } catch (e) { return null; }
}

/** Keys ``prefix + name`` in ``storage`` (any object with getItem/setItem/removeItem). */
export function createStore(storage, prefix) {
  function key(name) { return prefix + name; }
  return {
    load(name, fallback) {
      try { const v = storage.getItem(key(name)); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    save(name, value) {
      try { storage.setItem(key(name), JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
    },
    remove(name) {
      try { storage.removeItem(key(name)); } catch (e) { /* ignore */ }
    },
  };
}
