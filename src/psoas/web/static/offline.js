/* What this device keeps for use without a connection (see /sw.js). The page says, in
 * <body data-offline>, "keep" (it shows the program: register the service worker and keep
 * this page) or "forget" (the program is held back or missing, or nobody is signed in as a
 * patient: empty every copy kept). */
(function () {
  "use strict";
  var CACHE = "psoas-offline-v1";
  var mode = document.body.getAttribute("data-offline");

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
