// Classroom live view: redraws the counts and charts from /classroom/<id>/live.json every
// few seconds (server-side SVG, no chart library). Also the summary's print button.
(function () {
  "use strict";
  var live = document.getElementById("class-live");
  var printButton = document.getElementById("print-summary");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (!live || !live.getAttribute("data-poll")) { return; }
  var url = live.getAttribute("data-poll");
  var POLL_MS = 3000;

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (res) {
        if (res.status === 401) { window.location.assign("/login"); return null; }
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        live.innerHTML = data.html;
        if (data.status !== "active") { return "stop"; }
      })
      .catch(function () {})
      .then(function (stop) { if (stop !== "stop") { window.setTimeout(poll, POLL_MS); } });
  }
  window.setTimeout(poll, POLL_MS);
})();
