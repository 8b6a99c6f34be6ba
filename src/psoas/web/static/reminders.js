/* psoas reminders page: turn Web Push on or off for this device, send a test, copy the
 * calendar address. The service worker (/sw.js) shows what the server pushes, even with the
 * page closed. */
import { apiClient, detailOf, jsonOf } from "./api.js";

var root = document.getElementById("push-app");
if (root) pushControls(root);
copyButtons();

function $(id) { return document.getElementById(id); }

function keyBytes(base64url) {
  var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  var raw = atob(padded);
  var out = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function pushControls(app) {
  var api = apiClient(app.dataset.csrf);
  var on = $("push-on"), off = $("push-off"), test = $("push-test");
  function say(text) { $("push-status").textContent = text; }

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    say("This browser cannot show notifications from psoas. Use the calendar below instead." +
      " (On an iPhone, add psoas to the Home Screen first.)");
    return;
  }
  var ready = navigator.serviceWorker.register("/sw.js").then(function () {
    return navigator.serviceWorker.ready;
  });

  function show(subscription) {
    var denied = Notification.permission === "denied";
    on.hidden = !!subscription || denied;
    off.hidden = test.hidden = !subscription;
    if (denied) say("Notifications are blocked for this site. Allow them in the browser's site settings, then reload.");
    else if (subscription) say("Notifications are on for this device.");
    else say("Notifications are off on this device.");
  }

  function current() {
    return ready.then(function (reg) { return reg.pushManager.getSubscription(); });
  }

  on.addEventListener("click", function () {
    on.disabled = true;
    say("Asking for permission...");
    Promise.resolve(Notification.requestPermission()).then(function (permission) {
      if (permission !== "granted") { show(null); return null; }
      return api("GET", "/api/v1/me/push/key").then(jsonOf).then(function (data) {
        return ready.then(function (reg) {
          return reg.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: keyBytes(data.public_key)
          });
        });
      }).then(function (subscription) {
        return api("POST", "/api/v1/me/push/subscriptions", subscription.toJSON()).then(function (r) {
          if (!r.ok) return detailOf(r).then(function (d) { throw new Error(d); });
          show(subscription);
          return subscription;
        });
      });
    }).catch(function (e) {
      say("Could not turn notifications on: " + (e && e.message ? e.message : "please try again") + ".");
    }).finally(function () { on.disabled = false; });
  });

  off.addEventListener("click", function () {
    current().then(function (subscription) {
      if (!subscription) { show(null); return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return api("POST", "/api/v1/me/push/unsubscribe", { endpoint: endpoint });
      }).then(function () { show(null); });
    }).catch(function () { say("Could not turn notifications off; please try again."); });
  });

  test.addEventListener("click", function () {
    say("Sending a test...");
    api("POST", "/api/v1/me/push/test").then(jsonOf).then(function (data) {
      say(data.delivered ? "Test sent: it should appear in a moment." :
        "The test did not reach this device. Turn notifications off and on again.");
    }).catch(function () { say("Could not send a test; please try again."); });
  });

  current().then(show, function () { show(null); });
}

function copyButtons() {
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = $(button.dataset.copy);
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
      }, function () { field.select(); });
    });
  });
}
