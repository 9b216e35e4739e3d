// Queue: poll a small JSON endpoint, redraw the rows, and alert on a new P1 case
// (spoken by the live region, in the tab title, and as a sound once enabled).
(function () {
  "use strict";
  var table = document.getElementById("queue");
  if (!table) { return; }
  var rows = document.getElementById("queue-rows");
  var live = document.getElementById("queue-live");
  var sound = document.getElementById("p1-sound");
  var toggle = document.getElementById("sound-toggle");
  var url = table.getAttribute("data-poll-url");
  var every = parseInt(table.getAttribute("data-poll-seconds") || "5", 10) * 1000;
  var baseTitle = document.title;
  var known = {};
  (table.getAttribute("data-p1-ids") || "").split(",").forEach(function (id) { if (id) { known[id] = true; } });
  var soundOn = false;
  var pendingAlerts = 0;
  var lastHtml = rows.innerHTML;

  toggle.addEventListener("click", function () {
    soundOn = !soundOn;
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    toggle.textContent = soundOn ? "Sonido de alerta P1 activado" : "Activar sonido de alerta P1";
    if (soundOn) { sound.currentTime = 0; sound.play().catch(function () {}); }
  });

  function clearTitle() {
    if (pendingAlerts && document.visibilityState === "visible") {
      pendingAlerts = 0;
      document.title = baseTitle;
    }
  }
  ["keydown", "mousedown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, clearTitle, {passive: true});
  });

  function focusKey() {
    var el = document.activeElement;
    if (!el || !rows.contains(el)) { return null; }
    var row = el.closest("tr");
    return row ? {id: row.getAttribute("data-case-id"), tag: el.tagName} : null;
  }

  function restoreFocus(key) {
    if (!key) { return; }
    var row = rows.querySelector('tr[data-case-id="' + key.id + '"]');
    var target = row && (row.querySelector(key.tag.toLowerCase()) || row.querySelector("a"));
    if (target) { target.focus(); }
  }

  function update(data) {
    if (data.html !== lastHtml) {
      var key = focusKey();
      rows.innerHTML = data.html;
      lastHtml = data.html;
      restoreFocus(key);
    }
    ["P1", "P2", "P3"].forEach(function (p) {
      var c = document.querySelector('[data-count="' + p + '"]');
      var u = document.querySelector('[data-unassigned="' + p + '"]');
      if (c) { c.textContent = data.counts[p]; }
      if (u) { u.textContent = data.counts_unassigned[p]; }
    });
    var fresh = [];
    (data.cases || []).forEach(function (c) {
      if (c.priority === "P1" && !known[String(c.id)]) { fresh.push(c); }
    });
    (data.p1_ids || []).forEach(function (id) { known[String(id)] = true; });
    if (!fresh.length) { return; }
    fresh.forEach(function (c) {
      var row = rows.querySelector('tr[data-case-id="' + c.id + '"]');
      if (row) { row.classList.add("new"); }
    });
    pendingAlerts += fresh.length;
    live.textContent = "Nuevo caso P1 urgente: " + fresh.map(function (c) { return c.code; }).join(", ") + ".";
    document.title = "(" + pendingAlerts + ") ¡Caso P1 nuevo! · " + baseTitle;
    if (soundOn) { sound.currentTime = 0; sound.play().catch(function () {}); }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (res) {
        if (res.status === 401) { window.location.assign("/login?motivo=inactividad"); return null; }
        return res.ok ? res.json() : null;
      })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* network blip: try again next time */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
