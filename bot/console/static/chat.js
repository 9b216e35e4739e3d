// Web chat: posts to the console, which relays to the assistant's REST channel, and polls
// for replies that a person of the hotline writes from the console.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var after = null;
  var POLL_MS = 2500;
  // The students' classroom chat (/aula/...) posts elsewhere, does not poll for operator
  // replies, and sends the join code as its first message.
  var sendUrl = form.getAttribute("data-send-url") || "/chat/send";
  var pollUrl = form.hasAttribute("data-send-url") ? null : "/chat/poll";
  var firstMessage = form.getAttribute("data-first-message");

  function add(who, text, buttons, label) {
    var item = document.createElement("li");
    item.className = "msg " + who;
    if (label) {
      var tag = document.createElement("span");
      tag.className = "who";
      tag.textContent = label;
      item.appendChild(tag);
    }
    var p = document.createElement("p");
    p.textContent = text;
    item.appendChild(p);
    if (buttons && buttons.length) {
      var list = document.createElement("div");
      list.className = "buttons";
      buttons.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", function () { send(b.payload, b.title); });
        list.appendChild(btn);
      });
      item.appendChild(list);
    }
    log.appendChild(item);
    item.scrollIntoView({block: "end"});
  }

  function send(message, shown) {
    add("user", shown || message);
    return fetch(sendUrl, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({message: message}),
      credentials: "same-origin"
    }).then(function (res) {
      if (res.status === 401) { window.location.assign("/login"); return null; }
      return res.json();
    }).then(function (data) {
      if (!data) { return; }
      (data.messages || []).forEach(function (m) { add("bot", m.text, m.buttons); });
    }).catch(function () {
      add("bot system", "No se pudo enviar el mensaje. Revisa tu conexión e inténtalo otra vez.");
    });
  }

  function poll() {
    var url = pollUrl + (after === null ? "" : "?after=" + after);
    fetch(url, {credentials: "same-origin"})
      .then(function (res) {
        if (res.status === 401) { window.location.assign("/login"); return null; }
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        (data.messages || []).forEach(function (m) { add("operator", m.text, null, "Línea de ayuda"); });
        if (typeof data.next === "number") { after = data.next; }
      })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  if (pollUrl) { poll(); }
  if (firstMessage) { send(firstMessage); }
})();
