// Inactivity: warn before the server closes the session, and count real use (typing,
// clicking) as activity. Background polling does not count on the server, so an open
// queue page alone never keeps a session alive. Nothing is kept in browser storage.
(function () {
  "use strict";
  var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  var box = document.getElementById("idle-warning");
  if (!idle || !box) { return; }
  var left = document.getElementById("idle-left");
  var stay = document.getElementById("idle-stay");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var warnBefore = Math.min(120, Math.floor(idle / 3));
  var lastServer = Date.now();
  var lastPing = Date.now();
  var shown = false;

  function expired() { window.location.assign("/login?motivo=inactividad"); }

  function hide() { box.hidden = true; shown = false; }

  function keepalive() {
    lastPing = Date.now();
    return fetch("/session/keepalive", {
      method: "POST", headers: {"X-CSRF-Token": csrf}, credentials: "same-origin"
    }).then(function (res) {
      if (res.status === 401) { expired(); return; }
      if (res.ok) { lastServer = Date.now(); hide(); }
    }).catch(function () { /* offline for a moment: the timer keeps running */ });
  }

  function activity() {
    if (Date.now() - lastPing > 60000) { keepalive(); }
  }

  function words(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s >= 60) { return Math.floor(s / 60) + " min " + (s % 60) + " s"; }
    return s + " s";
  }

  function tick() {
    var remaining = idle - (Date.now() - lastServer) / 1000;
    if (remaining <= 0) { expired(); return; }
    if (remaining <= warnBefore) {
      left.textContent = words(remaining);
      if (!shown) { box.hidden = false; shown = true; stay.focus(); }
    }
  }

  ["keydown", "mousedown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, activity, {passive: true});
  });
  stay.addEventListener("click", keepalive);
  window.setInterval(tick, 1000);
})();
