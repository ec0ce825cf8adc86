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
document.addEventListener("change", (event) => {
  // A field with data-clears="name" empties the named field of its form (e.g. choosing another
  // district clears the station filter). Capture phase: runs before the autosubmit above.
  const name = event.target.dataset && event.target.dataset.clears;
  const target = name && event.target.form && event.target.form.elements.namedItem(name);
  if (target) target.value = "";
}, true);

// Progress bars take their width from data-progress (inline style attributes are forbidden by
// the CSP; setting style from a script file is allowed). Runs on load and on htmx swaps.
function applyProgress(root) {
  root.querySelectorAll("[data-progress]").forEach((bar) => {
    bar.style.width = `${Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0))}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => applyProgress(document));
document.addEventListener("htmx:load", (event) => applyProgress(event.target.parentNode || document));
document.addEventListener("click", (event) => {
  // Buttons with data-copy-target="#id" copy that field's value (e.g. a new API key).
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copyTarget);
  if (!field) return;
  const done = () => {
    if (!button.dataset.originalLabel) button.dataset.originalLabel = button.textContent;
    button.textContent = button.dataset.copiedLabel || "已复制";
    window.setTimeout(() => { button.textContent = button.dataset.originalLabel; }, 2000);
  };
  field.select();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
  } else {
    document.execCommand("copy");
    done();
  }
});

// sampling: buttons with data-print print the page (the printable draw record).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A rejected form announces its errors: the error summary (or, without one, the first invalid
// field) takes the focus when the page loads, so a screen reader reads it first (WCAG 3.3.1).
function focusErrors(root) {
  const target = root.querySelector("[data-error-summary]") || root.querySelector("main [aria-invalid=true]");
  if (target) target.focus();
}
document.addEventListener("DOMContentLoaded", () => focusErrors(document));

// A table wider than the window scrolls inside its box: that box must be reachable with the
// keyboard and named (WCAG 2.1.1). It becomes a tab stop only while it actually scrolls.
const scrollBoxes = new ResizeObserver((entries) => {
  entries.forEach(({ target: box }) => {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        const heading = box.closest("section, .card, main").querySelector("h1, h2, h3, .card-header");
        box.setAttribute("aria-label", `${heading ? heading.textContent.trim() : "表格"}（可左右滚动）`);
      }
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
    }
  });
});
function watchScrollBoxes(root) {
  root.querySelectorAll(".table-responsive").forEach((box) => scrollBoxes.observe(box));
}
document.addEventListener("DOMContentLoaded", () => watchScrollBoxes(document));
document.addEventListener("htmx:load", (event) => watchScrollBoxes(event.target));
document.addEventListener("click", (event) => {
  // A link of the error summary puts the focus in the field it names, not only the page there.
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  const field = link && document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.focus();
});
document.addEventListener("click", (event) => {
  // The skip link moves the focus into the content without adding #main to the address (a form
  // sent from that address would come back focused on the content, not on its error summary).
  const skip = event.target.closest(".skip-link");
  const main = skip && document.getElementById("main");
  if (!main) return;
  event.preventDefault();
  main.focus();
  main.scrollIntoView();
});
