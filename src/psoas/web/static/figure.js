/* The moving exercise figure in the guided player.
 *
 * A motion SVG (/illustrations/ITEM.motion.svg) holds every pose of the movement as a hidden
 * group, in order: the keyframes (data-key) and the in-between poses. The player says how far
 * through the movement the body should be (0 the start, 1 the end) and this shows that pose.
 * The SVG comes from our own server; it is fetched once per address and kept in memory.
 */
var texts = {};

export function figureShow(box, url) {
  if (!url) { box.hidden = true; box.dataset.url = ""; return Promise.resolve(); }
  box.hidden = false;
  if (box.dataset.url === url) return Promise.resolve();
  box.dataset.url = url;
  var got = texts[url] ? Promise.resolve(texts[url]) : fetch(url).then(function (r) {
    if (!r.ok) throw new Error("no picture");
    return r.text();
  });
  return got.then(function (text) {
    texts[url] = text;
    if (box.dataset.url !== url) return; // a later item asked meanwhile
    box.innerHTML = text;
    // The later poses come hidden by their display="none" attribute; from here each pose's
    // style says (a style property, not a style attribute: the Content-Security-Policy).
    box.querySelectorAll("g.pose").forEach(function (g, i) { g.style.display = i ? "none" : "inline"; });
    box.dataset.shown = "0";
  }).catch(function () { box.hidden = true; });
}

export function figurePose(box, progress) {
  var poses = box.querySelectorAll("g.pose");
  if (!poses.length) return;
  var p = Math.min(1, Math.max(0, progress));
  var want = Math.round(p * (poses.length - 1));
  var shown = Number(box.dataset.shown || 0);
  if (want === shown) return;
  poses[shown].style.display = "none";
  poses[want].style.display = "inline";
  box.dataset.shown = String(want);
}

/* How far through the movement: still at the start while getting ready and resting; a hold
 * moves into position over its first two seconds and stays; repetitions go there and back
 * once each; a timed release steps slowly through all its phases. */
export function movementAt(step, phase, elapsed, total) {
  if (phase !== "work" || !total) return 0;
  if (step.kind === "hold") return Math.min(1, elapsed / 2);
  if (step.kind === "reps" && step.reps) {
    var per = total / step.reps;
    var t = (elapsed % per) / per;
    return t < 0.5 ? t * 2 : (1 - t) * 2;
  }
  return elapsed / total;
}
