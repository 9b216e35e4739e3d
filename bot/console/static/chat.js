// Web chat: posts to the console, which relays to the assistant's REST channel.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function add(who, text, buttons) {
    const item = document.createElement("li");
    item.className = "msg " + who;
    const p = document.createElement("p");
    p.textContent = text;
    item.appendChild(p);
    if (buttons && buttons.length) {
      const list = document.createElement("div");
      list.className = "buttons";
      buttons.forEach(function (b) {
        const btn = document.createElement("button");
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

  async function send(message, shown) {
    add("user", shown || message);
    try {
      const res = await fetch("/chat/send", {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({message: message}),
        credentials: "same-origin",
      });
      if (res.status === 401) { window.location = "/login"; return; }
      const data = await res.json();
      (data.messages || []).forEach(function (m) { add("bot", m.text, m.buttons); });
    } catch (e) {
      add("bot system", "No se pudo enviar el mensaje. Revisa tu conexión e inténtalo otra vez.");
    }
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value;
    input.value = "";
    send(text);
  });
})();
