/* The browser's time zone (an IANA name such as Europe/Lisbon): sent with the sign-in and
 * sign-up forms, and offered on the account page when it differs from the one kept. */
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  if (!zone) return;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-time-zone]"), function (input) {
    input.value = zone;
  });
  var form = document.getElementById("time-zone-form");
  var select = document.getElementById("time_zone");
  var note = document.getElementById("time-zone-device");
  if (!form || !select || !note || form.dataset.current === zone) return;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) return;
  note.textContent = "This device is set to " + zone + ". ";
  var use = document.createElement("button");
  use.type = "button";
  use.className = "secondary";
  use.textContent = "Use " + zone;
  use.addEventListener("click", function () {
    select.value = zone;
    form.submit();
  });
  note.appendChild(use);
  note.hidden = false;
})();
