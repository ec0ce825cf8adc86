// Record page: show the rectification deadline only for 责令限期改正, the reason only when not public.
(function () {
  function sync(card) {
    const measure = card.querySelector("select[name$='-measure']");
    const rectify = card.querySelector("[data-show-for='rectify']");
    if (measure && rectify) rectify.hidden = measure.value !== "rectify" && !rectify.querySelector(".is-invalid");
    const pub = card.querySelector("input[name$='-public']");
    const reason = card.querySelector("[data-show-for='non-public']");
    if (pub && reason) reason.hidden = pub.checked && !reason.querySelector(".is-invalid");
  }
  document.addEventListener("change", (event) => {
    const card = event.target.closest(".item-card");
    if (card) sync(card);
  });
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".item-card").forEach(sync);
  });
})();
