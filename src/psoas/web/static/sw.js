/* psoas service worker: the session player and the break coach open without a connection.
 *
 * Only two pages are kept, and only when the server marks them `X-Psoas-Offline: keep` (they
 * show the program). Every visit online replaces the kept copy, and any page marked `forget`
 * (a program held back by a warning sign, no program, signed out, a clinician) makes the page
 * script empty the cache, so a held-back program is never shown offline. Nothing else is
 * kept but the exercise pictures (catalog content, the same for everyone): no API answers, no
 * other page. Sets done offline are queued by the player itself.
 */
"use strict";

importScripts("/static/cache-name.js");
var CACHE = self.PSOAS_CACHE;
var PAGES = ["/me/session", "/me/breaks"];
var ASSETS = [
  "/static/app.css", "/static/patient.css", "/static/cache-name.js", "/static/offline.js",
  "/static/player.js", "/static/player.css", "/static/breaks.js",
  // the ES modules player.js and breaks.js import: every one, or the pages break offline
  "/static/api.js", "/static/store.js", "/static/queue.js", "/static/timer.js",
  "/static/figure.js",
  // the menu's icons and the break coach's own styles
  "/static/icons.svg", "/static/breaks.css", "/static/reminders.css",
];
var OFFLINE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Offline · psoas</title><link rel="stylesheet" href="/static/app.css"></head>' +
  '<body data-offline=""><main id="main"><h1>You are offline</h1>' +
  "<p>This page needs a connection. The session player and the break coach open without one " +
  "once you have opened them online.</p>" +
  '<p><a href="/me/session">Session</a> · <a href="/me/breaks">Breaks</a></p></main></body></html>';

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("psoas-") === 0 && k !== CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function offlinePage() {
  return new Response(OFFLINE_PAGE, {
    status: 503,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
  });
}

/* The kept copy, marked so that the page knows it is a copy (its clock is not the server's). */
function keptCopy(path) {
  return caches.open(CACHE).then(function (cache) { return cache.match(path); }).then(function (hit) {
    if (!hit) return offlinePage();
    return hit.text().then(function (html) {
      return new Response(html.replace("<body ", '<body data-offline-copy="1" '), {
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }
      });
    });
  });
}

function page(request, path) {
  return fetch(request).then(function (response) {
    return caches.open(CACHE).then(function (cache) {
      var keep = response.ok && !response.redirected &&
        response.headers.get("X-Psoas-Offline") === "keep";
      return (keep ? cache.put(path, response.clone()) : cache.delete(path))
        .then(function () { return response; });
    });
  }, function () { return keptCopy(path); });
}

function asset(request, path) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(path, copy); });
    }
    return response;
  }, function () {
    return caches.match(path).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.indexOf(url.pathname) >= 0 && request.mode === "navigate") {
    event.respondWith(page(request, url.pathname));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(asset(request, url.pathname));
  } else if (url.pathname.indexOf("/illustrations/") === 0) {
    // exercise pictures: catalog content, not anyone's data; kept so the player draws offline
    event.respondWith(asset(request, url.pathname + url.search));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));
  }
});

/* Reminders pushed by the server (session times, sitting breaks): shown even with every psoas
 * page closed. The payload is JSON {title, body, url, tag}; a tap opens (or focuses) the page. */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  var title = data.title || "psoas";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || "psoas",
    renotify: true,
    icon: data.icon,
    data: { url: data.url || "/me" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = new URL((event.notification.data && event.notification.data.url) || "/me",
    self.location.origin);
  if (url.origin !== self.location.origin) url = new URL("/me", self.location.origin);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (new URL(windows[i].url).pathname === url.pathname && "focus" in windows[i]) {
          return windows[i].focus();
        }
      }
      return self.clients.openWindow(url.href);
    }));
});
