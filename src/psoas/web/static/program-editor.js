/* The program editor: the catalog filters as you type or choose, without reloading the page
 * (a reload would lose doses typed but not yet saved). Without this script the same filters
 * work through the "Find" form and the server. */
(function () {
  "use strict";
  var form = document.getElementById("find");
  var list = document.querySelector(".addlist");
  var count = document.querySelector("[data-find-count]");
  if (!form || !list || !count) { return; }
  var controls = document.querySelectorAll("[form=find][name]");
  var items = list.querySelectorAll("label[data-words]");

  function value(name) {
    var found = "";
    controls.forEach(function (c) { if (c.name === name) { found = c.value.trim().toLowerCase(); } });
    return found;
  }

  function apply() {
    var words = value("q").split(/\s+/).filter(Boolean);
    var category = value("category"), position = value("position");
    var equipment = value("equipment"), target = value("target");
    var shown = 0;
    items.forEach(function (item) {
      var d = item.dataset;
      var keep = words.every(function (w) { return d.words.indexOf(w) !== -1; }) &&
        (!category || d.category === category) &&
        (!position || d.position === position) &&
        (!equipment || d.equipment.indexOf("|" + equipment + "|") !== -1) &&
        (!target || d.target.toLowerCase().indexOf("|" + target + "|") !== -1);
      // an exercise already ticked stays in sight, so that nothing is added unseen
      item.hidden = !keep && !item.querySelector("input").checked;
      if (!item.hidden) { shown += 1; }
    });
    count.textContent = shown + " of " + items.length + " safe for this patient shown";
  }

  controls.forEach(function (c) {
    c.addEventListener(c.tagName === "SELECT" ? "change" : "input", apply);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();
