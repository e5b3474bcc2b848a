// Live kilos of a meal order: grams × meals / yield / 1000 per product, from the grammages the
// server wrote on each input (data-grammes, data-rendement). The server computes the same on save.
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
  function recompute(form) {
    var perProduct = {};
    form.querySelectorAll("input.repas").forEach(function (input) {
      var meals = parseInt(input.value, 10);
      var grams = parseFloat(input.dataset.grammes);
      var yieldRatio = parseFloat(input.dataset.rendement) || 1;
      var product = input.dataset.produit;
      if (!(product in perProduct)) { perProduct[product] = 0; }
      if (meals > 0 && grams > 0) { perProduct[product] += grams * meals / yieldRatio / 1000; }
    });
    var total = 0;
    form.querySelectorAll("output.kilos").forEach(function (out) {
      var kg = perProduct[out.dataset.produit] || 0;
      total += kg;
      out.textContent = fmt.format(kg);
    });
    var totalOut = form.querySelector("output.total-kilos");
    if (totalOut) { totalOut.textContent = fmt.format(total); }
  }
  document.querySelectorAll("form.commande-repas").forEach(function (form) {
    form.addEventListener("input", function () { recompute(form); });
  });
})();
