/* What this device keeps for use without a connection (see /sw.js). The page says, in
 * <body data-offline>, "keep" (it shows the program: register the service worker and keep
 * this page) or "forget" (the program is held back or missing, or nobody is signed in as a
 * patient: empty every copy kept). After signing out (<body data-signed-out>) the sets
 * and break times kept in localStorage are removed as well. */
(function () {
  "use strict";
  var CACHE = self.PSOAS_CACHE;  // /static/cache-name.js, loaded first
  var mode = document.body.getAttribute("data-offline");

  if (document.body.hasAttribute("data-signed-out")) {
    // Signed out on purpose: the player's queue and the coach's clock go too. (A session that
    // merely expired keeps the queue, so that the next sign-in sends what was done.)
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("psoas.") === 0) window.localStorage.removeItem(key);
      }
    } catch (e) { /* storage unavailable: nothing kept */ }
  }
  if (mode === "forget") {
    if (window.caches) {
      caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k.indexOf("psoas-") === 0; })
          .map(function (k) { return caches.delete(k); }));
      }).catch(function () { /* nothing kept */ });
    }
    return;
  }
  if (mode !== "keep" || !("serviceWorker" in navigator) || !window.caches) return;
  if (document.body.hasAttribute("data-offline-copy")) { // the kept copy, opened offline
    var note = document.getElementById("offline-copy");
    if (note) note.hidden = false;
    return;
  }

  navigator.serviceWorker.register("/sw.js").catch(function () { /* not over plain http */ });
  if (!navigator.serviceWorker.controller) {
    // The first visit came before the worker: keep this page now, as the worker would have.
    var path = window.location.pathname;
    fetch(path, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok || response.headers.get("X-Psoas-Offline") !== "keep") return null;
      return caches.open(CACHE).then(function (cache) { return cache.put(path, response); });
    }).catch(function () { /* offline already: nothing to keep */ });
  }
})();
