/* psoas guided session player: the browser twin of `psoas session`.
 *
 * Each step runs get ready -> work -> rest, like the terminal player. Every completed set is
 * written to the send-later queue (queue.js) in localStorage first and then sent with a
 * client-made idempotency key; the queue is sent again on `online`, after every later success,
 * every 30 s while something waits, and on page load. The server stores a key once, so a retry
 * never duplicates a set.
 *
 * Tests may speed time up with `window.PSOAS_SPEED` (set before this script runs; timer.js).
 */
import { apiClient, detailOf } from "./api.js";
import { figurePose, figureShow, movementAt } from "./figure.js";
import { sendLater, uuid } from "./queue.js";
import { openStore } from "./store.js";
import { SPEED, countdown, secondsText, serverClock } from "./timer.js";

var root = document.getElementById("player-app");
if (root) player(root);

function player(app) {
  var plan = JSON.parse(document.getElementById("psoas-plan").textContent);
  var steps = plan.steps;
  var api = apiClient(app.dataset.csrf);
  var device = openStore(app.dataset.user);
  var BREATH_IN = 4, BREATH_OUT = 6;
  var RESUME_HOURS = 12;
  // A copy kept on the device for offline use carries an old server time: trust this device's
  // clock until the server answers again.
  var keptCopy = document.body.hasAttribute("data-offline-copy");
  var clock = serverClock(keptCopy ? null : plan.server_now);

  function $(id) { return document.getElementById(id); }

  // --- the local record of this session (survives a reload) -----------------------------------
  var session = device.load("session", null);
  var savedCount = 0;
  var queue = sendLater({
    store: device,
    send: function (entry) { return api("POST", urlFor(entry), entry.body); },
    // an entry made before the session existed waits for it (and then carries its id)
    prepare: function (entry) {
      if (entry.sid !== null) return null;
      return ensureSession().then(function (sid) { return sid !== null; });
    },
    sent: function (entry) { if (entry.type === "set") savedCount += 1; },
    changed: renderSync,
  });

  function saveSession() { device.save("session", session); }

  function freshSession(id) {
    return {
      id: id, version: plan.program_version, started: new Date().toISOString(),
      pos: 0, completed: 0, done: [], painBefore: false, finished: false,
    };
  }

  function createSession() {
    return api("POST", "/api/v1/me/sessions", {}).then(function (r) {
      if (!r.ok) return detailOf(r).then(function (m) { queue.problem = m; renderSync(); return null; });
      return r.json().then(function (data) {
        clock.sync(data.server_now);
        if (!session) session = freshSession(data.id);
        session.id = data.id;
        saveSession();
        queue.update(function (e) {
          if (e.sid !== null) return false;
          e.sid = data.id;
          return true;
        });
        return data.id;
      });
    }, function () { return null; });
  }

  var creating = null;
  function ensureSession() {
    if (session && session.id !== null) return Promise.resolve(session.id);
    if (!creating) creating = createSession().finally(function () { creating = null; });
    return creating;
  }

  // --- the offline queue ----------------------------------------------------------------------
  function enqueue(type, body) {
    var entry = queue.add(type, session ? session.id : null, body);
    renderSync();
    flush();
    return entry;
  }

  function urlFor(entry) {
    var base = "/api/v1/me/sessions/" + entry.sid;
    return base + { set: "/sets", pain: "/pain", finish: "/finish" }[entry.type];
  }

  function flush() { return queue.flush(); }

  function renderSync() {
    var el = $("sync");
    var entries = queue.entries, rejected = queue.rejected, lastProblem = queue.problem;
    var waiting = entries.filter(function (e) { return e.type === "set"; }).length;
    var others = entries.length - waiting;
    var text, kind;
    if (entries.length) {
      var what = waiting ? waiting + (waiting === 1 ? " set" : " sets") : others + (others === 1 ? " update" : " updates");
      text = what + " waiting to send. " + (navigator.onLine === false
        ? "You are offline: they are kept on this device and sent when you are back online."
        : (lastProblem || "Sending…"));
      kind = "waiting";
    } else if (navigator.onLine === false) {
      text = "You are offline: each set is kept on this device and sent when you are back online.";
      kind = "waiting";
    } else if (savedCount) {
      text = "Saved: " + savedCount + (savedCount === 1 ? " set" : " sets") + " sent to your record.";
      kind = "ok";
    } else {
      text = session && session.id !== null ? "Connected. Each set is saved as soon as it ends."
        : (lastProblem || "Not connected yet: sets will be kept on this device and sent later.");
      kind = session && session.id !== null ? "ok" : "waiting";
    }
    if (rejected.length) {
      text += " " + rejected.length + " could not be saved: " + rejected[rejected.length - 1].message;
      kind = "problem";
    }
    if (el.textContent !== text) el.textContent = text;
    el.className = "sync " + kind;
  }

  // --- speech, wake lock ----------------------------------------------------------------------
  var speakBox = $("speak");
  speakBox.checked = !!device.load("speak", false);
  if (!("speechSynthesis" in window)) {
    speakBox.disabled = true;
    speakBox.parentNode.appendChild(document.createTextNode(" (this browser cannot speak)"));
  }
  speakBox.addEventListener("change", function () {
    device.save("speak", speakBox.checked);
    if (speakBox.checked) say("Spoken cues on.");
  });
  function say(text) {
    if (!speakBox.checked) return;
    try {
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
    } catch (e) { /* never fail because of speech */ }
  }

  var wakeLock = null;
  function keepAwake() {
    var note = $("awake");
    if (!("wakeLock" in navigator)) {
      note.textContent = "This browser may let the screen turn off; touch it now and then.";
      return;
    }
    if (wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      note.textContent = "The screen stays on during the session.";
      lock.addEventListener("release", function () { wakeLock = null; });
    }, function () {
      note.textContent = "The screen may turn off; touch it now and then.";
    });
  }
  function letSleep() {
    if (wakeLock) { wakeLock.release().catch(function () {}); wakeLock = null; }
  }

  // --- pain scales ----------------------------------------------------------------------------
  var pain = { before: null, after: null };
  Array.prototype.forEach.call(document.querySelectorAll(".pain-scale"), function (group) {
    var which = group.dataset.pain;
    group.addEventListener("click", function (ev) {
      var b = ev.target.closest("button");
      if (!b || b.disabled) return;
      var same = pain[which] === Number(b.value);
      pain[which] = same ? null : Number(b.value);
      Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) {
        x.setAttribute("aria-pressed", String(!same && x === b));
      });
      if (which === "after") $("save-pain-after").disabled = pain.after === null;
    });
  });

  // --- the player -----------------------------------------------------------------------------
  var idx = -1, phase = "idle", paused = false, skipItem = null;
  var shownSecond = null, breathIn = null;
  var timer = countdown({
    counting: function () { return phase !== "idle" && phase !== "done" && !paused; },
    ended: phaseEnded,
    ticked: draw,
  });
  var instructionsByItem = {};
  steps.forEach(function (s) { if (s.instructions.length) instructionsByItem[s.item_id] = s; });

  function announce(text) { $("announce").textContent = text; }

  function workLabel(s) {
    if (s.kind === "hold") return "Hold " + s.hold_seconds + " s" + (s.reps ? " × " + s.reps : "");
    if (s.kind === "reps") return s.reps + " slow repetitions";
    return "Release";
  }

  function showItem(s) {
    var first = instructionsByItem[s.item_id] || s;
    $("how-title").textContent = "How to do it: " + s.name;
    var ol = $("how-steps");
    ol.textContent = "";
    first.instructions.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      ol.appendChild(li);
    });
    $("how-breathing").textContent = s.breathing ? "Breathing: " + s.breathing : "";
    $("how").hidden = !first.instructions.length && !s.breathing;
  }

  // the item's figure for this side (the left side is the right one mirrored), and the
  // placement diagram beside it during a release
  function showFigure(s) {
    var pics = (plan.pictures || {})[s.item_id];
    var left = s.side === "left";
    figureShow($("figure"), pics ? (left ? pics.left : pics.right) : null);
    var place = pics ? (left ? pics.placement_left : pics.placement_right) : null;
    var img = $("placement");
    if (place) { if (img.getAttribute("src") !== place) img.src = place; img.hidden = false; }
    else { img.hidden = true; img.removeAttribute("src"); }
  }

  function nextIsNew(i) { return i + 1 >= steps.length || steps[i + 1].item_id !== steps[i].item_id; }

  function startStep(i, introduce) {
    while (i < steps.length && skipItem !== null && steps[i].item_id === skipItem) i += 1;
    skipItem = null;
    if (i >= steps.length) { end("completed"); return; }
    var s = steps[i];
    var newItem = introduce || idx < 0 || steps[idx].item_id !== s.item_id;
    idx = i;
    session.pos = i;
    saveSession();
    if (newItem) { showItem(s); say(s.name); }
    showFigure(s);
    $("where").textContent = "Exercise " + itemNumber(i) + " of " + itemCount + " · set " + (i + 1) + " of " + steps.length + " in all";
    $("item-name").textContent = s.name;
    $("side-set").textContent = (s.side ? s.side.charAt(0).toUpperCase() + s.side.slice(1) + " side · " : "") +
      "set " + s.set_number + " of " + s.sets_on_this_side;
    startPhase("ready", s.get_ready_seconds);
  }

  var itemCount = 0, itemIndex = [];
  steps.forEach(function (s, i) {
    if (i === 0 || steps[i - 1].item_id !== s.item_id) itemCount += 1;
    itemIndex.push(itemCount);
  });
  function itemNumber(i) { return itemIndex[i]; }

  function startPhase(name, seconds) {
    phase = name;
    timer.set(seconds);
    shownSecond = null;
    breathIn = null;
    var s = steps[idx];
    var label = { ready: "Get ready", work: workLabel(s), rest: "Rest" }[name];
    var el = $("phase");
    el.textContent = label;
    el.className = "phase " + name;
    var release = name === "work" && s.category === "release";
    $("breath-dot").hidden = !release;
    var cue = $("cue");
    cue.className = release ? "cue breath" : "cue";
    cue.textContent = name === "work" && !release && s.cue ? s.cue
      : name === "rest" ? "Relax. Next: " + nextLabel() : name === "ready" ? "Get into position." : "";
    var side = s.side ? ", " + s.side + " side" : "";
    announce(label + ": " + s.name + side + ", set " + s.set_number + " of " + s.sets_on_this_side +
      ", " + Math.round(seconds) + " seconds.");
    if (name === "work") say(s.announcement);
    if (name === "rest") say("Rest.");
    draw();
  }

  function nextLabel() {
    var n = steps[idx + 1];
    if (!n) return "the end";
    return n.name + (n.side ? ", " + n.side + " side" : "") + ", set " + n.set_number;
  }

  function phaseEnded() {
    var s = steps[idx];
    if (phase === "ready") { startPhase("work", s.work_seconds); return; }
    if (phase === "work") {
      if (s.kind === "hold") say("And relax.");
      completeSet(s);
      var lastOfSide = s.set_number === s.sets_on_this_side;
      if (s.rest_seconds && !(lastOfSide && nextIsNew(idx))) { startPhase("rest", s.rest_seconds); return; }
      startStep(idx + 1);
      return;
    }
    if (phase === "rest") startStep(idx + 1);
  }

  function completeSet(s) {
    var body = {
      key: uuid(),
      item_id: s.item_id,
      side: s.side,
      set_number: s.set_number,
      hold_seconds: s.kind === "hold" ? s.hold_seconds : null,
      reps: s.kind === "reps" ? s.reps : null,
      minutes: s.kind === "timed" ? Math.round(s.work_seconds / 60 * 100) / 100 : null,
      completed_at: new Date(clock.now()).toISOString(),
    };
    session.completed += 1;
    doneKeys().push(s.key_part);
    session.pos = idx + 1;
    saveSession();
    enqueue("set", body);
  }

  function draw() {
    var s = steps[idx];
    var remaining = timer.remaining, total = timer.total;
    var second = Math.ceil(Math.max(remaining, 0));
    if (second !== shownSecond) {
      shownSecond = second;
      $("time").textContent = secondsText(second);
    }
    var done = total ? Math.round((total - remaining) / total * 100) : 100;
    $("bar-fill").style.width = done + "%";
    $("bar").setAttribute("aria-valuenow", String(done));
    figurePose($("figure"), movementAt(s, phase, total - remaining, total));
    if (phase === "work" && s.category === "release") {
      var t = (total - remaining) % (BREATH_IN + BREATH_OUT);
      var inhale = t < BREATH_IN;
      if (inhale !== breathIn) {
        breathIn = inhale;
        var dot = $("breath-dot");
        dot.style.transitionDuration = ((inhale ? BREATH_IN : BREATH_OUT) / SPEED) + "s";
        dot.className = inhale ? "breath-dot in" : "breath-dot";
        $("cue").textContent = inhale ? "Breathe in slowly… (4 s)" : "Breathe out, sink a little deeper… (6 s)";
      }
    }
  }

  function run(from, introduce) {
    // the spoken-cue switch goes along into the player, so it can be changed mid-session
    $("player").insertBefore(speakBox.parentNode, $("awake"));
    $("setup").hidden = true;
    $("player").hidden = false;
    setPaused(false);
    keepAwake();
    timer.start();
    startStep(from, introduce);
    $("pause").focus();
  }

  // --- what the end says: the same words and figure as psoas.domain.adherence.session_report --
  // The server gives each step its share of the session's work (step.share); a session counts
  // by the shares of the sets done, as adherence counts it everywhere.
  function doneKeys() {
    // a session kept by an older page has no list: its first `completed` sets stand in
    if (!session.done) session.done = steps.slice(0, session.completed).map(function (x) { return x.key_part; });
    return session.done;
  }

  function aboutPercent(share) {
    var pct = Math.floor(share * 100 + 0.5);
    if (share > 0 && share < 1) pct = Math.min(99, Math.max(1, pct));
    return pct;
  }

  function numbers(values) {
    return values.length === 1 ? String(values[0])
      : values.slice(0, -1).join(", ") + " and " + values[values.length - 1];
  }

  function undoneText(item, undone) {
    var name = item[0].name, parts = [], sides = [];
    item.forEach(function (p) { if (sides.indexOf(p.side) < 0) sides.push(p.side); });
    if (undone.length === item.length) {
      if (item.length === 1) return name;
      if (sides.length === item.length && sides.indexOf(null) < 0) return name + " (both sides)";
      return name + " (all " + item.length + " sets)";
    }
    sides.forEach(function (side) {
      var planned = item.filter(function (p) { return p.side === side; });
      var missed = undone.filter(function (p) { return p.side === side; }).map(function (p) { return p.set_number; });
      if (!missed.length) return;
      if (missed.length === planned.length) {
        parts.push(side + " side" + (planned.length === 1 ? "" : ": all " + planned.length + " sets"));
        return;
      }
      var which = (missed.length === 1 ? "set " : "sets ") + numbers(missed);
      parts.push(side ? side + " side: " + which : which);
    });
    return name + " (" + parts.join("; ") + ")";
  }

  function report(stopped) {
    var done = {};
    doneKeys().forEach(function (k) { done[k] = true; });
    var n = steps.length, count = 0, share = 0, items = {}, order = [];
    steps.forEach(function (s) {
      if (done[s.key_part]) { count += 1; share += s.share; }
      if (!items[s.item_id]) { items[s.item_id] = []; order.push(s.item_id); }
      items[s.item_id].push(s);
    });
    var complete = count === n;
    share = complete ? (n ? 1 : (stopped ? 0 : 1)) : Math.min(share, 1);
    var skipped = [];
    order.forEach(function (id) {
      var undone = items[id].filter(function (s) { return !done[s.key_part]; });
      if (undone.length) skipped.push(undoneText(items[id], undone));
    });
    var title = complete ? "Well done: session complete" : stopped ? "Session stopped"
      : count === 0 ? "Session ended: nothing done" : "Session ended: part done";
    var sets = n === 1 ? "set" : "sets";
    var text = complete ? (n <= 1 ? "You did the whole session." : "You did all " + n + " sets.")
      : count === 0 ? "You did none of the " + n + " " + sets + " of today's session."
      : "You did " + count + " of " + n + " " + sets + ", about " + aboutPercent(share) + "% of today's session.";
    if (skipped.length) text += " Skipped: " + skipped.join("; ") + ".";
    return { title: title, summary: text, complete: complete };
  }

  function end(status) {
    phase = "done";
    timer.stop();
    letSleep();
    session.finished = true;
    session.status = status;
    saveSession();
    enqueue("finish", { status: status });
    $("player").hidden = true;
    $("done").hidden = false;
    var said = report(status === "quit");
    $("done-title").textContent = said.title;
    $("done-summary").textContent = said.summary;
    say(said.complete ? "Session done. Well done." : said.title + ".");
    announce($("done-title").textContent);
    $("done-title").focus();
  }

  // --- buttons --------------------------------------------------------------------------------
  // Pain before the session clearly above the assessment's: the warning signs come first. The
  // rating is kept as today's pain (the server then asks for the re-check everywhere).
  function recheckFirst() {
    $("recheck-first").hidden = false;
    $("start").disabled = true;
    announce($("recheck-first").textContent);
    var opened = session && session.id !== null ? session.id : null;
    api("POST", "/api/v1/me/pain", { score: pain.before }).then(function (r) {
      if (!r.ok) return;
      // the session opened with the page is closed unstarted: nothing was done in it
      var closing = opened === null ? Promise.resolve()
        : api("POST", "/api/v1/me/sessions/" + opened + "/finish", { status: "quit" });
      return closing.then(function () {
        session = null;
        device.save("session", null);
        location.assign("/me/recheck");
      });
    }).catch(function () { /* offline: the note says what to do */ });
  }

  $("start").addEventListener("click", function () {
    var from = plan.recheck_from_pain;
    if (pain.before !== null && from !== null && from !== undefined && pain.before >= from &&
        !(session && session.painBefore)) {
      recheckFirst();
      return;
    }
    if (!session) session = freshSession(null);
    if (pain.before !== null && !session.painBefore) {
      session.painBefore = true;
      saveSession();
      enqueue("pain", { moment: "before", score: pain.before });
    }
    run(session.pos || 0, true);
  });

  $("new-session").addEventListener("click", function () {
    if (session && !session.finished && session.id !== null) {
      queue.add("finish", session.id, { status: "quit" });
    }
    session = freshSession(null);
    session.id = null;
    saveSession();
    $("resume-note").hidden = true;
    $("new-session").hidden = true;
    $("start").textContent = "Start";
    flush();
  });

  function setPaused(value) {
    paused = value;
    $("pause").textContent = paused ? "Resume" : "Pause";
    $("paused").hidden = !paused;
    $("player").classList.toggle("is-paused", paused);
  }
  $("pause").addEventListener("click", function () {
    if (phase === "idle" || phase === "done") return;
    setPaused(!paused);
    announce(paused ? "Paused." : "Going on.");
    say(paused ? "Paused." : "Go on.");
  });
  $("skip-set").addEventListener("click", function () {
    if (phase === "idle" || phase === "done") return;
    setPaused(false);
    announce("Set skipped.");
    startStep(idx + 1);
  });
  $("skip-item").addEventListener("click", function () {
    if (phase === "idle" || phase === "done") return;
    setPaused(false);
    skipItem = steps[idx].item_id;
    announce("Skipped the rest of " + steps[idx].name + ".");
    startStep(idx + 1);
  });
  var pausedBeforeQuit = false;
  $("quit").addEventListener("click", function () {
    pausedBeforeQuit = paused;
    setPaused(true);
    $("confirm-quit").hidden = false;
    $("quit-no").focus();
  });
  $("quit-no").addEventListener("click", function () {
    setPaused(pausedBeforeQuit);
    $("confirm-quit").hidden = true;
    $("pause").focus();
  });
  $("quit-yes").addEventListener("click", function () {
    $("confirm-quit").hidden = true;
    end("quit");
  });
  $("save-pain-after").addEventListener("click", function () {
    if (pain.after === null) return;
    enqueue("pain", { moment: "after", score: pain.after });
    $("pain-after-box").hidden = true;
    $("pain-after-saved").hidden = false;
    announce("Thank you: noted.");
  });

  // --- start up -------------------------------------------------------------------------------
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (phase !== "idle" && phase !== "done") keepAwake();
      timer.resync();
      flush();
    }
  });
  window.addEventListener("online", function () { renderSync(); flush(); });
  window.addEventListener("offline", renderSync);

  function ready() {
    $("start").disabled = false;
    renderSync();
  }

  function offerResume() {
    if (session.pos > 0) {
      var note = $("resume-note");
      note.textContent = "You have a session in progress: " + session.completed + " of " + steps.length +
        " sets done. Start carries on where you stopped.";
      note.hidden = false;
      $("start").textContent = "Carry on";
      $("new-session").hidden = false;
    }
    if (session.painBefore) {
      Array.prototype.forEach.call(document.querySelectorAll('[data-pain="before"] button'), function (b) { b.disabled = true; });
    }
  }

  var age = session ? (Date.now() - Date.parse(session.started)) / 3600000 : Infinity;
  var resumable = session && !session.finished && session.version === plan.program_version && age < RESUME_HOURS;
  if (resumable && session.id !== null) {
    api("GET", "/api/v1/me/sessions/" + session.id).then(function (r) {
      if (r.ok) return r.json().then(function (data) { return data.status === "in_progress"; });
      return r.status === 404 ? false : true;
    }, function () { return true; /* offline: trust this device */ }).then(function (keep) {
      if (keep) { offerResume(); ready(); flush(); return; }
      session = null;
      ensureSession().then(function () { ready(); flush(); });
    });
  } else {
    if (resumable) offerResume();
    else session = null;
    ensureSession().then(function () { ready(); flush(); });
  }
  renderSync();
}
