// The clinic exercise form: the picture preview follows the chosen pose.
(function () {
  "use strict";
  document.querySelectorAll("select[data-figure-preview]").forEach(function (select) {
    var img = document.getElementById(select.getAttribute("data-figure-preview"));
    if (!img) return;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      var url = option && option.getAttribute("data-url");
      if (url) img.src = url;
    });
  });
})();
