/* The send-later queue: what the player did is written to the device first ("queue" in the
 * store) and then sent, oldest first, exactly once. Each entry carries a client-made id, and each
 * set its own idempotency key, so a retry never duplicates anything on the server. An entry that
 * may go through later (offline, 5xx, 401/403, 408, 429) stays and is tried again; one refused for
 * good (a bad value, a session that is not yours) is noted under "rejected" and does not block
 * the rest. */
import { detailOf } from "./api.js";

export function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  var b = new Uint8Array(16);
  window.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}

function mayWorkLater(status) {
  return status >= 500 || status === 401 || status === 403 || status === 408 || status === 429;
}

/* options:
 *   store    where the queue is kept (openStore from store.js)
 *   send     entry -> the fetch promise that delivers it
 *   prepare  entry -> null when it can be sent now, else a promise of whether to go on (true:
 *            it was made ready, look again; false: stop until the next flush)
 *   sent     entry -> called once the server has it
 *   changed  () -> called whenever what waits (or the problem) may have changed
 *   retryMs  how long to wait before trying again while something waits (30 s)
 * The returned queue has entries, rejected, problem (why sending stopped, "" if none), add(),
 * update() and flush(). */
export function sendLater(options) {
  var store = options.store;
  var sent = options.sent || function () {};
  var changed = options.changed || function () {};
  var retryMs = options.retryMs || 30000;
  var entries = store.load("queue", []);
  var rejected = store.load("rejected", []);
  var flushing = null;
  var retryTimer = null;

  function save() { store.save("queue", entries); }
  function drop(entry) {
    entries = store.load("queue", entries).filter(function (e) { return e.id !== entry.id; });
    save();
  }

  var queue = {
    get entries() { return entries; },
    get rejected() { return rejected; },
    problem: "",

    /* Keep a new entry (not sent yet: call flush). */
    add: function (type, sid, body) {
      var entry = { id: uuid(), type: type, sid: sid, body: body };
      entries.push(entry);
      save();
      return entry;
    },

    /* Change entries in place; fn(entry) returns true when it changed one. */
    update: function (fn) {
      var any = false;
      entries.forEach(function (e) { if (fn(e)) any = true; });
      if (any) save();
    },

    /* Send what waits, one at a time; the same promise while a flush runs. */
    flush: flush,
  };

  function flush() {
    if (flushing) return flushing;
    flushing = (async function () {
      for (;;) {
        entries = store.load("queue", entries); // another tab may have sent some
        if (!entries.length) break;
        var entry = entries[0];
        var preparing = options.prepare ? options.prepare(entry) : null;
        if (preparing) {
          if (!(await preparing)) break;
          continue;
        }
        var response;
        try {
          response = await options.send(entry);
        } catch (e) {
          queue.problem = "";
          break; // offline: keep it for later
        }
        if (response.ok) {
          drop(entry);
          sent(entry);
          queue.problem = "";
          changed();
          continue;
        }
        var message = await detailOf(response);
        if (mayWorkLater(response.status)) {
          queue.problem = response.status === 401 || response.status === 403
            ? "Sign in again to send them (" + message + ")." : message;
          break; // may work later: keep it
        }
        // refused for good: keep a note, do not block
        rejected.push({ entry: entry, status: response.status, message: message });
        store.save("rejected", rejected);
        drop(entry);
      }
    })().finally(function () {
      flushing = null;
      changed();
      if (entries.length && !retryTimer) {
        retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryMs);
      }
    });
    return flushing;
  }

  return queue;
}
