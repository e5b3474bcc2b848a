// The coordination page's running job: poll its JSON, show stage and progress, then the result.
(function () {
  "use strict";
  var panel = document.getElementById("travail");
  if (!panel || panel.dataset.fini === "oui") { return; }
  var bar = panel.querySelector(".travail-barre");
  var percent = panel.querySelector(".travail-pourcent");
  var stage = panel.querySelector(".travail-etape");
  var stateLabel = panel.querySelector(".travail-etat");
  var message = panel.querySelector(".travail-message");
  var delay = 700;

  function show(job) {
    var value = Math.round((job.progress || 0) * 100);
    bar.value = value;
    bar.textContent = value + " %";
    percent.textContent = value + " %";
    stage.textContent = job.stage || "";
    stateLabel.textContent = job.state_fr;
    panel.dataset.etat = job.state;
    if (job.finished) {
      panel.dataset.fini = "oui";
      message.hidden = false;
      message.textContent = job.message_fr || "";
      message.className = "travail-message message " + (job.state === "failed" ? "erreur" : "succes");
      message.setAttribute("role", job.state === "failed" ? "alert" : "status");
      if (job.state === "succeeded") {
        // the new plan, rounds or documents: show the page as it now stands
        window.setTimeout(function () { window.location.reload(); }, 1200);
      }
    }
  }

  function poll() {
    fetch(panel.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (!job.finished) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        stage.textContent = "Connexion perdue, nouvel essai…";
        window.setTimeout(poll, 3000);
      });
  }
  window.setTimeout(poll, delay);
})();
