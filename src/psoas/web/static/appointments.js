// The "Join the call" button of a video appointment: shown from a few minutes before the start
// until the end, on this device's clock. The server already rendered its own view of it; this
// only keeps it right while the page stays open.
(function () {
  "use strict";
  function update() {
    var now = Date.now();
    document.querySelectorAll("[data-join-from]").forEach(function (button) {
      var open = now >= Number(button.dataset.joinFrom) && now < Number(button.dataset.joinUntil);
      button.hidden = !open;
      var wait = button.parentElement && button.parentElement.querySelector("[data-join-wait]");
      if (wait) wait.hidden = open;
    });
  }
  update();
  setInterval(update, 15000);
})();
