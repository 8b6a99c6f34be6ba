/* What the pages keep on this device, each value under "psoas.v1.<user id>.<name>". Those names
 * are what devices already hold (the player's queued sets among them): never rename them.
 * offline.js removes every "psoas." key on signing out. Reads and writes never throw: without
 * storage (private browsing, a full disk) a value lives in this page's memory instead. */

export function keyPrefix(userId) { return "psoas.v1." + userId + "."; }

/* The user's values in localStorage (the default) or sessionStorage (this tab only). load/save
 * keep JSON; loadText/saveText keep a plain string. */
export function openStore(userId, areaName) {
  var prefix = keyPrefix(userId);
  var memory = {};
  function area() { return window[areaName || "localStorage"]; } // may throw: storage denied

  function loadText(name) {
    try {
      return area().getItem(prefix + name);
    } catch (e) {
      return name in memory ? memory[name] : null;
    }
  }
  function saveText(name, text) {
    memory[name] = text;
    try { area().setItem(prefix + name, text); } catch (e) { /* memory only */ }
  }
  function load(name, fallback) {
    try {
      var raw = area().getItem(prefix + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return name in memory ? memory[name] : fallback;
    }
  }
  function save(name, value) {
    memory[name] = value;
    try { area().setItem(prefix + name, JSON.stringify(value)); } catch (e) { /* memory only */ }
  }
  return { load: load, save: save, loadText: loadText, saveText: saveText };
}
