/* Time for the player and the coach: the server's clock as seen from this device, countdown
 * texts, and the player's ticking countdown. (Browser tests move time with Playwright's clock,
 * which drives Date, performance.now and the timers alike.) */

/* The server's time from this device's: sync(iso) with each `server_now` the server sends. */
export function serverClock(serverNow) {
  var offset = 0;
  var clock = {
    sync: function (iso) { offset = Date.parse(iso) - Date.now(); },
    now: function () { return Date.now() + offset; },
    secondsUntil: function (iso) { return (Date.parse(iso) - clock.now()) / 1000; },
  };
  if (serverNow !== null && serverNow !== undefined) clock.sync(serverNow);
  return clock;
}

/* "45" under a minute, else "1:05" (minutes do not roll over into hours): the player's. */
export function secondsText(seconds) {
  var s = Math.ceil(Math.max(seconds, 0));
  return s >= 60 ? Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0") : String(s);
}

/* "0:45", "12:05", "1:02:05": the coach's. */
export function countdownText(seconds) {
  var s = Math.max(0, Math.ceil(seconds));
  var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  var mm = (h ? String(m).padStart(2, "0") : String(m)) + ":" + String(r).padStart(2, "0");
  return h ? h + ":" + mm : mm;
}

/* A countdown of `remaining` out of `total` seconds, ticking while counting() says so; at zero
 * it calls ended(), else ticked(). start() sets it ticking (every 200 ms), stop() ends that,
 * resync() forgets the time since the last tick (a tab coming back), add(s) gives s seconds
 * more. */
export function countdown(options) {
  var last = 0;
  var interval = null;
  var timer = {
    remaining: 0,
    total: 0,
    set: function (seconds) { timer.remaining = timer.total = Math.max(0, seconds); },
    start: function () {
      last = performance.now();
      if (!interval) interval = setInterval(tick, 200);
    },
    stop: function () { clearInterval(interval); interval = null; },
    resync: function () { last = performance.now(); },
    add: function (seconds) { timer.remaining += seconds; timer.total += seconds; },
  };
  function tick() {
    var now = performance.now();
    var dt = (now - last) / 1000;
    last = now;
    if (!options.counting()) return;
    timer.remaining -= dt;
    if (timer.remaining <= 0) { options.ended(); return; }
    options.ticked();
  }
  return timer;
}
