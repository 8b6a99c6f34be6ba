/* psoas guided session player: the browser twin of `psoas session`.
 *
 * Each step runs get ready -> work -> rest, like the terminal player. Every completed set is
 * written to the send-later queue (queue.js) in localStorage first and then sent with a
 * client-made idempotency key; the queue is sent again on `online`, after every later success,
 * every 30 s while something waits, and on page load. The server stores a key once, so a retry
 * never duplicates a set.
 *
 * Repetitions are counted one by one at the plan's tempo (lift, hold, lower), shown big and
 * spoken; "Done" ends a set of repetitions at the person's own pace. A step that takes the
 * sides in turn completes the left and the right set (its `covers`). Floor mode hides the
 * site's menu, asks for the full screen where the browser can, and makes the timer big.
 */
import { apiClient, detailOf } from "./api.js";
import { figurePose, figureShow, movementAt } from "./figure.js";
import { sendLater, uuid } from "./queue.js";
import { openStore } from "./store.js";
import { countdown, secondsText, serverClock } from "./timer.js";

var root = document.getElementById("player-app");
if (root) player(root);

function player(app) {
  var plan = JSON.parse(document.getElementById("psoas-plan").textContent);
  var steps = plan.steps;
  var planned = plan.planned;  // every planned set (what the end reports and adherence counts)
  var plannedByKey = {};
  planned.forEach(function (p) { plannedByKey[p.key_part] = p; });
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

  // --- floor mode: no menu, the full screen where the browser allows it, a big timer ----------
  var floorBox = $("floor-start"), floorButton = $("floor");
  floorBox.checked = !!device.load("floor", true);
  floorBox.addEventListener("change", function () { device.save("floor", floorBox.checked); });
  var fullScreen = false;
  function setFloor(on) {
    document.body.classList.toggle("floor", on);
    floorButton.setAttribute("aria-pressed", String(on));
    floorButton.textContent = on ? "Leave full screen" : "Full screen";
    var el = document.documentElement;
    if (on && el.requestFullscreen && !document.fullscreenElement) {
      el.requestFullscreen({ navigationUI: "hide" }).then(function () { fullScreen = true; },
        function () { /* refused: the page still hides its menu (the fallback) */ });
    }
    if (!on && document.fullscreenElement && document.exitFullscreen) {
      fullScreen = false;
      document.exitFullscreen().catch(function () {});
    }
    if (on) window.scrollTo(0, 0);
  }
  floorButton.addEventListener("click", function () {
    setFloor(!document.body.classList.contains("floor"));
  });
  document.addEventListener("fullscreenchange", function () {
    // leaving the browser's full screen (Esc, the back gesture) leaves floor mode too
    if (!document.fullscreenElement && fullScreen) { fullScreen = false; setFloor(false); }
  });

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
  var shownSecond = null, breathIn = null, shownMoment = null, shownRep = null, figureSide = null;
  var timer = countdown({
    counting: function () { return phase !== "idle" && phase !== "done" && !paused; },
    ended: phaseEnded,
    ticked: draw,
  });
  var instructionsByItem = {};
  steps.forEach(function (s) { if (s.instructions.length) instructionsByItem[s.item_id] = s; });

  function announce(text) { $("announce").textContent = text; }

  function workLabel(s) {
    var each = s.rep_sides.length ? " each side, in turn" : "";
    if (s.kind === "hold") return "Hold " + s.hold_seconds + " s" + (s.reps ? " × " + s.reps + each : "");
    if (s.kind === "reps") return s.reps + " slow repetitions" + each;
    return "Release";
  }

  /* Where the tempo is `elapsed` seconds into a paced set: the rep (1 first), its side, the
   * phase (lift, hold, lower, between) and its seconds left. The same rule as
   * psoas.domain.session_plan.Step.rep_at, which the terminal player uses. */
  function repAt(s, elapsed) {
    var t = s.tempo;
    if (!t) return null;
    var cycle = t.lift_seconds + t.hold_seconds + t.lower_seconds + t.between_seconds;
    var e = Math.max(elapsed, 0);
    var index = Math.min(Math.floor(e / cycle), s.rep_count - 1);
    var into = e - index * cycle;
    var phases = [["lift", t.lift_seconds], ["hold", t.hold_seconds], ["lower", t.lower_seconds],
      ["between", t.between_seconds]];
    var name = "between", left = 0, start = 0;
    for (var k = 0; k < phases.length; k++) {
      if (phases[k][1] && into < start + phases[k][1]) { name = phases[k][0]; left = start + phases[k][1] - into; break; }
      start += phases[k][1];
    }
    return { rep: index + 1, side: s.rep_sides.length ? s.rep_sides[index] : s.side, phase: name, left: left };
  }

  function tempoWord(s, name) {
    return { lift: s.tempo.lift_word, hold: s.tempo.hold_word, lower: s.tempo.lower_word, between: "Rest" }[name];
  }

  // how far through the movement the figure is during a paced rep: up, held, down, at rest
  function tempoPose(s, m) {
    var t = s.tempo;
    if (m.phase === "lift") return 1 - m.left / t.lift_seconds;
    if (m.phase === "hold") return 1;
    if (m.phase === "lower") return m.left / t.lower_seconds;
    return 0;
  }

  var PLACES = {
    floor: "Get down onto your mat.",
    kneeling: "Kneel on your mat.",
    bed: "Lie down on a firm bed or the floor.",
    table: "Get onto the table or the firm edge of the bed.",
    standing: "Stand up, a sturdy chair within reach.",
    seated: "Sit on a sturdy chair.",
  };
  function readyCue(i) {
    var s = steps[i], before = i > 0 ? steps[i - 1] : null;
    if (!before || (before.position !== s.position && s.position !== "any")) return PLACES[s.position] || "Get into position.";
    if (before.item_id === s.item_id && before.side !== s.side && s.side) return "Change to your " + s.side + " side.";
    if (s.swap_sides) return "Swap sides from the last set.";
    return "Get into position.";
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
  function showFigure(s, side) {
    var pics = (plan.pictures || {})[s.item_id];
    var left = (side === undefined ? s.side : side) === "left";
    figureSide = left ? "left" : "right";
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
    $("where").textContent = "Exercise " + itemNumber(i) + " of " + itemCount + " · step " + (i + 1) + " of " + steps.length;
    $("item-name").textContent = s.name;
    var set = "set " + s.set_number + " of " + s.sets_on_this_side;
    $("side-set").textContent = s.rep_sides.length ? "Sides in turn · " + set
      : s.side ? s.side.charAt(0).toUpperCase() + s.side.slice(1) + " side · " + set
      : s.swap_sides ? "Set " + s.set_number + " of " + s.sets_on_this_side + " · swap sides"
      : "Set " + s.set_number + " of " + s.sets_on_this_side;
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
    shownMoment = null;
    shownRep = null;
    var s = steps[idx];
    var paced = name === "work" && !!s.tempo;
    $("done-set").hidden = !paced;
    $("more-time").disabled = paced;  // a paced set runs rep by rep; Done is for your own pace
    $("rep").hidden = !paced;
    $("tempo").hidden = !paced;
    if (s.rep_sides.length && name !== "work") showFigure(s, s.rep_sides[0]);
    var label = { ready: "Get ready", work: workLabel(s), rest: "Rest" }[name];
    var el = $("phase");
    el.textContent = label;
    el.className = "phase " + name;
    var release = name === "work" && s.category === "release";
    $("breath-dot").hidden = !release;
    var cue = $("cue");
    cue.className = release ? "cue breath" : "cue";
    cue.textContent = name === "work" && !release && s.cue ? s.cue
      : name === "rest" ? "Relax. Next: " + nextLabel()
      : name === "ready" && s.clinician_note ? "From your clinician: " + s.clinician_note
      : name === "ready" ? readyCue(idx) : "";
    var side = s.side ? ", " + s.side + " side" : "";
    announce(label + ": " + s.name + side + ", set " + s.set_number + " of " + s.sets_on_this_side +
      ", " + Math.round(seconds) + " seconds.");
    // a paced set counts aloud from its first rep: what it is is said while getting ready
    if (name === (s.tempo ? "ready" : "work")) say(s.announcement);
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
    if (phase === "ready") { startPhase("work", s.run_seconds); return; }
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

  // one stored set for each planned set the step completes (both sides' when taken in turn)
  function completeSet(s) {
    var at = new Date(clock.now()).toISOString();
    var bodies = s.covers.map(function (key) {
      var p = plannedByKey[key];
      return {
        key: uuid(),
        item_id: s.item_id,
        side: p ? p.side : s.side,
        set_number: s.set_number,
        hold_seconds: s.kind === "hold" ? s.hold_seconds : null,
        reps: s.kind === "reps" ? s.reps : null,
        minutes: s.kind === "timed" ? Math.round(s.work_seconds / s.covers.length / 60 * 100) / 100 : null,
        completed_at: at,
      };
    });
    session.completed += bodies.length;
    s.covers.forEach(function (key) { doneKeys().push(key); });
    session.pos = idx + 1;
    saveSession();
    bodies.forEach(function (body) { enqueue("set", body); });
  }

  function draw() {
    var s = steps[idx];
    var remaining = timer.remaining, total = timer.total;
    var moment = phase === "work" ? repAt(s, total - remaining) : null;
    if (moment) drawRep(s, moment);
    else {
      var second = Math.ceil(Math.max(remaining, 0));
      if (second !== shownSecond) {
        shownSecond = second;
        $("time").textContent = secondsText(second);
      }
      figurePose($("figure"), movementAt(s, phase, total - remaining, total));
    }
    var done = total ? Math.round((total - remaining) / total * 100) : 100;
    $("bar-fill").style.width = done + "%";
    $("bar").setAttribute("aria-valuenow", String(done));
    if (phase === "work" && s.category === "release") {
      var t = (total - remaining) % (BREATH_IN + BREATH_OUT);
      var inhale = t < BREATH_IN;
      if (inhale !== breathIn) {
        breathIn = inhale;
        var dot = $("breath-dot");
        dot.className = inhale ? "breath-dot in" : "breath-dot out";
        $("cue").textContent = inhale ? "Breathe in slowly… (4 s)" : "Breathe out, sink a little deeper… (6 s)";
      }
    }
  }

  // a paced set: the rep's number big, the side, the tempo's word and its seconds; each phase
  // spoken as it begins, each rep said to a screen reader
  function drawRep(s, m) {
    var key = m.rep + ":" + m.phase;
    var left = Math.ceil(m.left);
    var side = s.rep_sides.length && m.side ? " · " + m.side : "";
    if (m.rep !== shownRep) {
      shownRep = m.rep;
      var time = $("time");
      time.textContent = String(m.rep);
      var of = document.createElement("span");
      of.className = "of";
      of.textContent = "/" + s.rep_count;
      time.appendChild(of);
      $("rep").textContent = "Rep " + m.rep + " of " + s.rep_count + side;
      announce("Rep " + m.rep + " of " + s.rep_count + (side ? ", " + m.side : "") + ".");
      if (s.rep_sides.length && m.side !== figureSide) showFigure(s, m.side);
    }
    var word = tempoWord(s, m.phase);
    var text = m.phase === "between" ? word : word + " " + left;
    var tempo = $("tempo");
    if (tempo.textContent !== text) tempo.textContent = text;
    tempo.className = "tempo " + m.phase;
    if (key !== shownMoment) {
      shownMoment = key;
      if (m.phase === "lift") say(m.rep + (s.rep_sides.length && m.side ? ", " + m.side : "") + ". " + word);
      else if (m.phase !== "between") say(word);
    }
    figurePose($("figure"), tempoPose(s, m));
  }

  function run(from, introduce) {
    // the spoken-cue switch goes along into the player, so it can be changed mid-session
    $("player").insertBefore(speakBox.parentNode, $("awake"));
    $("setup").hidden = true;
    $("player").hidden = false;
    if (floorBox.checked) setFloor(true);
    setPaused(false);
    keepAwake();
    timer.start();
    startStep(from, introduce);
    $("pause").focus({ preventScroll: true });
  }

  // --- what the end says: the same words and figure as psoas.domain.adherence.session_report --
  // The server gives each step its share of the session's work (step.share); a session counts
  // by the shares of the sets done, as adherence counts it everywhere.
  function doneKeys() {
    // a session kept by an older page has no list: its first `completed` sets stand in
    if (!session.done) session.done = planned.slice(0, session.completed).map(function (x) { return x.key_part; });
    return session.done;
  }

  function doneCount() {
    var seen = {};
    doneKeys().forEach(function (k) { if (plannedByKey[k]) seen[k] = true; });
    return Object.keys(seen).length;
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
    var n = planned.length, count = 0, share = 0, items = {}, order = [];
    planned.forEach(function (s) {
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
    setFloor(false);
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
  $("previous").addEventListener("click", function () {
    if (phase === "idle" || phase === "done") return;
    setPaused(false);
    // resting after a set: that set again; else the set before this one
    var to = phase === "rest" ? idx : Math.max(0, idx - 1);
    skipItem = null;
    announce("Back to " + steps[to].name + ", set " + steps[to].set_number + ".");
    startStep(to, true);
  });
  $("done-set").addEventListener("click", function () {
    if (phase !== "work" || !steps[idx].tempo) return;
    setPaused(false);
    announce("Set done.");
    phaseEnded();
  });
  $("more-time").addEventListener("click", function () {
    if (phase === "idle" || phase === "done" || (phase === "work" && steps[idx].tempo)) return;
    timer.add(10);
    shownSecond = null;
    draw();
    announce("Ten seconds more.");
  });
  var KEYS = { p: "pause", d: "done-set", b: "previous", n: "skip-set", "+": "more-time" };
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || $("player").hidden || !$("confirm-quit").hidden) return;
    if (ev.target && /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName)) return;
    var id = KEYS[ev.key.toLowerCase()];
    var button = id && $(id);
    if (!button || button.hidden || button.disabled) return;
    ev.preventDefault();
    button.click();
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
      note.textContent = "You have a session in progress: " + doneCount() + " of " + planned.length +
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
