/* psoas sitting-break coach: counts down to the next break from the server's state, prompts
 * with a movement (in the page, and as a notification when allowed), and records the answer.
 * The coach's start time is kept for this tab (sessionStorage), so a reload keeps counting.
 * Recording a prompt or an answer returns the new state, applied in the same step; a state read
 * that was sent before it and answers late is dropped, so a slow network never re-opens a prompt.
 */
import { apiClient, jsonOf } from "./api.js";
import { openStore } from "./store.js";
import { countdownText, serverClock } from "./timer.js";

var root = document.getElementById("coach-app");
if (root) coach(root);

function coach(app) {
  var api = apiClient(app.dataset.csrf);
  var tab = openStore(app.dataset.user, "sessionStorage");
  var REFRESH_MS = 5 * 60 * 1000;

  function $(id) { return document.getElementById(id); }

  var startedAt = tab.loadText("breaks.started");
  if (!startedAt || Date.now() - Date.parse(startedAt) > 12 * 3600 * 1000) {
    startedAt = new Date().toISOString();
    tab.saveText("breaks.started", startedAt);
  }

  var state = null;
  var clock = serverClock(null);
  var prompting = false;
  var notifiedFor = null;
  var busy = false;
  var promptSent = Promise.resolve(); // the answer waits until its prompt is stored
  // Every state request is numbered when sent. A read (GET) applies only if it was sent after the
  // request whose state the page shows; a write (POST) applies when it answers and makes every
  // request sent until then stale, since the server may have answered those before the write.
  var sent = 0;
  var shown = 0;

  function say(text) { $("coach-status").textContent = text; }

  function stateQuery() {
    return "?started_at=" + encodeURIComponent(startedAt);
  }

  // "" when the moment is today in the person's zone, else its weekday ("Mon ").
  function dayText(iso) {
    var options = { weekday: "short" };
    var day = { year: "numeric", month: "numeric", day: "numeric" };
    if (state && state.time_zone) { options.timeZone = state.time_zone; day.timeZone = state.time_zone; }
    try {
      var now = new Date(clock.now());
      if (new Date(iso).toLocaleDateString("en-GB", day) === now.toLocaleDateString("en-GB", day)) return "";
      return new Date(iso).toLocaleDateString([], options) + " ";
    } catch (e) { return ""; }
  }

  // Times in the person's own zone (their account's), whatever this device is set to.
  function clockText(iso) {
    var options = { hour: "2-digit", minute: "2-digit" };
    if (state && state.time_zone) options.timeZone = state.time_zone;
    try { return new Date(iso).toLocaleTimeString([], options); }
    catch (e) { return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  }

  // One step: the countdown, the counts and the prompt follow the given state together.
  function applyState(data, seq, written) {
    if (!written && seq <= shown) return; // sent before the state shown: out of date
    shown = written ? sent : seq;
    clock.sync(data.server_now);
    state = data;
    ["prompted", "taken", "snoozed", "skipped"].forEach(function (k) {
      $("count-" + k).textContent = String(data.today[k]);
    });
    if (data.awaiting_answer) showPrompt(false);
    tick();
  }

  // Record a break event. Once the server has it, `stored` runs and the state that came with it
  // applies, in the same step (no tick in between sees the old state).
  function record(body, stored) {
    var seq = ++sent;
    return api("POST", "/api/v1/me/breaks" + stateQuery(), body).then(jsonOf).then(function (data) {
      if (stored) stored();
      applyState(data.state, seq, true);
    });
  }

  function refresh() {
    var seq = ++sent;
    return api("GET", "/api/v1/me/breaks/state" + stateQuery()).then(jsonOf).then(function (data) {
      applyState(data, seq, false);
    }, function () {
      say("Could not reach psoas; the countdown carries on and tries again.");
    });
  }

  function tick() {
    if (!state) return;
    var left = clock.secondsUntil(state.next_due);
    if (left <= 0 && !prompting) showPrompt(true);
    var at = clockText(state.next_due);
    if (state.paused_until && !prompting) {
      setText("next-title", "Paused");
      setText("countdown", "--:--");
      setText("due-at", "Next break " + dayText(state.next_due) + at);
      return;
    }
    if (!prompting && dayText(state.next_due)) { // outside the working hours: no countdown
      setText("next-title", "Next break");
      setText("countdown", dayText(state.next_due).trim());
      setText("due-at", "at " + at + ", when your working hours start");
      return;
    }
    setText("next-title", prompting ? "Break time" : "Next break in");
    setText("countdown", prompting ? "Now" : countdownText(left));
    setText("due-at", prompting ? "Due since " + at : "at " + at);
  }

  function setText(id, text) {
    var el = $(id);
    if (el.textContent !== text) el.textContent = text;
  }

  function movementText() {
    var m = state && state.movement;
    return m ? m.prompt : root.dataset.move;
  }

  function showPrompt(recordIt) {
    prompting = true;
    var m = state.movement;
    $("movement-name").textContent = m ? m.name : root.dataset.move;
    $("movement-count").textContent = m ? m.count : "";
    var ol = $("movement-steps");
    ol.textContent = "";
    (m ? m.steps : []).forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      ol.appendChild(li);
    });
    var box = $("prompt");
    var wasHidden = box.hidden;
    box.hidden = false;
    if (wasHidden) {
      say(root.dataset.call + ". " + movementText());
      $("prompt-title").focus();
      box.scrollIntoView({ block: "start" });
    }
    if (recordIt) {
      promptSent = record({ kind: "prompted", movement_id: m ? m.id : null })
        .catch(function () { /* the prompt still shows */ });
    }
    if (notifiedFor !== state.next_due) {
      notifiedFor = state.next_due;
      notify();
    }
  }

  function notify() {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return; // the page shows it
    try {
      var n = new Notification(root.dataset.call, { body: movementText(), tag: "psoas-break" });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (e) { /* some phones only notify from a service worker: the page prompt remains */ }
  }

  function answer(kind) {
    if (busy) return;
    busy = true;
    var body = { kind: kind, movement_id: state && state.movement ? state.movement.id : null };
    if (kind === "snoozed") body.snooze_minutes = 10;
    promptSent.then(function () {
      return record(body, function () {
        prompting = false;
        $("prompt").hidden = true;
        say({ taken: "Well done.", snoozed: "Snoozed for 10 minutes.", skipped: "Skipped." }[kind]);
      });
    }).catch(function () {
      say("Could not send your answer: check the connection and press it again.");
    }).finally(function () { busy = false; });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-answer]"), function (b) {
    b.addEventListener("click", function () { answer(b.dataset.answer); });
  });

  var notifyButton = $("notify");
  function renderNotify() {
    if (!("Notification" in window)) {
      $("notify-text").textContent = "This browser cannot show notifications; the reminder shows on this page.";
      notifyButton.hidden = true;
    } else if (Notification.permission === "granted") {
      $("notify-text").textContent = "Notifications are on: you get one when a break is due, even in another tab.";
      notifyButton.hidden = true;
    } else if (Notification.permission === "denied") {
      $("notify-text").textContent = "Notifications are blocked in this browser; the reminder shows on this page.";
      notifyButton.hidden = true;
    } else {
      $("notify-text").textContent = "When a break is due, this page shows it here. A notification can also remind you while you work in another tab.";
      notifyButton.hidden = false;
    }
  }
  notifyButton.addEventListener("click", function () {
    try {
      var asked = Notification.requestPermission(renderNotify);
      if (asked && asked.then) asked.then(renderNotify, renderNotify);
    } catch (e) { renderNotify(); }
  });
  renderNotify();

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refresh();
  });
  window.addEventListener("online", refresh);
  setInterval(tick, 1000);
  setInterval(refresh, REFRESH_MS);
  refresh();
}
