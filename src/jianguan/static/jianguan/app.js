// jianguan page behaviour. No inline scripts anywhere (the Content-Security-Policy forbids them).
document.addEventListener("change", (event) => {
  // Filter forms marked data-autosubmit submit when a select changes.
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.tagName === "SELECT") form.requestSubmit();
});
document.addEventListener("click", (event) => {
  // Buttons with data-confirm ask before they act.
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) event.preventDefault();
});
