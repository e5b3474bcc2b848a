// A driver's confirmations: each action gets an id made here (a retry is harmless: the server
// keeps one record per id), is queued in localStorage and sent at once; without network it waits
// and is sent when the network comes back (or at the next visit of the page).
(function () {
  "use strict";
  var root = document.querySelector(".tournee-jour");
  if (!root) { return; }
  var KEY = "terril-confirmations";
  var csrf = root.getAttribute("data-csrf");
  var banner = root.querySelector(".reseau");
  var OUTCOMES = {delivered: "livré", partial: "livré en partie", refused: "refusé", absent: "personne"};

  function queue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === "x" ? r : (r & 0x3 | 0x8)).toString(16);
    });
  }
  function show(text) {
    if (!banner) { return; }
    banner.hidden = !text;
    banner.textContent = text || "";
  }
  function mark(stop, text, ok) {
    var item = document.getElementById("arret-" + stop);
    if (!item) { return; }
    var state = item.querySelector(".etat-arret");
    if (state) { state.textContent = text; }
    var form = item.querySelector("form.confirmation");
    if (ok) {
      item.classList.add("confirme");
      if (form) { form.remove(); }
    }
  }
  function pending() {
    var n = queue().length;
    show(n ? n + (n > 1 ? " confirmations en attente de réseau : elles partiront dès le retour du réseau."
                       : " confirmation en attente de réseau : elle partira dès le retour du réseau.") : "");
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var items = queue();
    if (!items.length) { pending(); return; }
    sending = true;
    var item = items[0];
    fetch(item.url, {method: "POST", credentials: "same-origin",
                     headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
                     body: JSON.stringify(item.body)})
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) { return {res: res, body: body}; });
      })
      .then(function (answer) {
        var rest = queue().filter(function (q) { return q.body.id !== item.body.id; });
        save(rest);
        if (answer.res.ok) {
          mark(item.stop, "Confirmé : " + (answer.body.outcome_fr || OUTCOMES[item.body.outcome]), true);
        } else {
          mark(item.stop, "Refusé par le serveur : " + (answer.body.detail_fr || "erreur") + ".", false);
        }
        sending = false;
        flush();
      })
      .catch(function () {  // no network: keep it, try again when the network is back
        sending = false;
        pending();
      });
  }

  root.querySelectorAll("form.confirmation").forEach(function (form) {
    var partial = form.querySelector(".partiel");
    form.addEventListener("change", function () {
      var chosen = form.querySelector("input[name=outcome]:checked");
      if (partial) { partial.hidden = !(chosen && chosen.value === "partial"); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var outcome = data.get("outcome");
      var body = {id: uuid(), outcome: outcome, at: new Date().toISOString(),
                  crates_left: parseInt(data.get("crates_left") || "0", 10) || 0,
                  crates_back: parseInt(data.get("crates_back") || "0", 10) || 0,
                  recipient: data.get("recipient") || null, note: data.get("note") || null, drops: []};
      if (outcome === "partial") {
        data.forEach(function (value, name) {
          if (name.indexOf("drop:") === 0) {
            body.drops.push({product: name.slice(5), quantity: parseFloat(String(value).replace(",", ".")) || 0});
          }
        });
      }
      var stop = form.closest("[data-stop]").getAttribute("data-stop");
      var items = queue();
      items.push({url: form.getAttribute("action"), stop: stop, body: body});
      save(items);
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = "Enregistré, envoi…"; }
      mark(stop, "Enregistré sur le téléphone (" + OUTCOMES[outcome] + "), envoi en cours…", false);
      flush();
    });
  });
  window.addEventListener("online", flush);
  flush();
})();
