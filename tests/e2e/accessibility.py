"""axe-core in every page the browser tests visit: WCAG 2.1 A/AA, at desktop and phone sizes.

Rule (issue 15; GB/T 37668-2019, aligned with WCAG 2.1 AA): every page a user of any role can
reach passes axe-core's WCAG 2.1 A and AA rules, on a desktop (1366×900) and on a phone (390×844).

`watch(page)` makes a Playwright page check itself: whenever a test has waited for the page to
settle (goto, wait_for_url, wait_for_selector, go_back, reload…) and at the end of the test, the
current document is run through axe at both sizes, unless that same state was checked already.
The shared `page` fixture (tests/e2e/conftest.py) watches every page it hands out, so a browser
test written later is checked without a line of its own.

axe-core is vendored for the tests only (tests/e2e/vendor/axe-core, refreshed by
tools/vendor_axe.sh) and evaluated through the DevTools protocol, which the site's
Content-Security-Policy does not govern: the pages are checked under their production headers.
"""

from __future__ import annotations

import functools
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text("utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ZOOM_200 = {"width": 683, "height": 450}  # a 1366×900 window at 200 % zoom, in CSS pixels
SETTLING = ("goto", "reload", "go_back", "go_forward", "wait_for_url", "wait_for_selector")

# A violation as a short readable line per element (rule, impact, where, why).
_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.flatMap((v) => v.nodes.map((n) =>
    `${v.id} (${v.impact}): ${n.target.join(" ")} — ${v.help}. ` +
    (n.failureSummary || "").replace(/\\s+/g, " ")));
}"""
# Two frames: the new layout, then what observers of it (ResizeObserver in app.js) changed.
_NEXT_FRAME = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)
# The innermost elements that reach past the window's right edge (what makes a page too wide).
_WIDE = """() => {
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    [...e.classList].map((c) => "." + c).join("");
  const wide = [...document.body.querySelectorAll("*")].filter((e) =>
    e.getBoundingClientRect().right > innerWidth + 1 && !e.closest(".table-responsive *"));
  return wide.filter((e) => !wide.some((o) => o !== e && e.contains(o)))
    .slice(0, 5).map((e) => name(e) + " “" + e.textContent.trim().slice(0, 30) + "”").join("; ");
}"""
# What identifies a state for axe: its elements, classes, roles and ARIA, not its words. A state
# of the same structure as one checked already (the same list with other rows, the same page seen
# by another role) gets the same answers from axe and is not checked again.
_STATE = """() => {
  // The page's structure as axe sees it: elements, classes, roles and ARIA, not the words; a run
  // of siblings of one shape (the rows of a table, the items of a list) counts as one.
  const mix = (hash, text) => {
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
    return hash >>> 0;
  };
  const shape = (e) => {
    let hash = mix(2166136261, e.tagName + "." + e.getAttribute("class"));
    for (const a of e.attributes) {
      if (/^(aria-|role$|type$|hidden$|disabled$|tabindex$|lang$|for$|id$|alt$|title$|open$|href$)/.test(a.name)) {
        hash = mix(hash, a.name + (a.value ? "+" : "-"));
      }
    }
    let previous = null;
    for (const node of e.childNodes) {
      let part = null;
      if (node.nodeType === 1) part = shape(node);
      else if (node.nodeType === 3 && node.textContent.trim()) part = 1;
      if (part !== null && part !== previous) hash = mix(hash, String(part));
      if (part !== null) previous = part;
    }
    return hash;
  };
  return shape(document.documentElement);
}"""


class AccessibilityError(AssertionError):
    pass


def violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations in the page as it is now, at its current size."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_RUN, WCAG_21_AA)


def overflow(page) -> list[str]:
    """WCAG 1.4.10 (reflow): the page never scrolls sideways; wide tables scroll in their box."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    if width[0] <= width[1]:
        return []
    culprits = page.evaluate(_WIDE)
    return [
        f"reflow (1.4.10): the page is {width[0]} px wide in a {width[1]} px window: {culprits}"
    ]


def check(page, sizes=(DESKTOP, PHONE, ZOOM_200)) -> None:
    """Fail with every violation of the current page at each size (axe at desktop and phone
    sizes, sideways scrolling at all three); leave the page as it was."""
    own = page.viewport_size
    scroll = page.evaluate("() => [scrollX, scrollY]")
    found = []
    try:
        for size in sizes:
            if page.viewport_size != size:
                page.set_viewport_size(size)
                page.evaluate(_NEXT_FRAME)
            label = f"{size['width']}×{size['height']}"
            found += [f"[{label}] {v}" for v in overflow(page)]
            if size is not ZOOM_200:
                found += [f"[{label}] {v}" for v in violations(page)]
    finally:
        if page.viewport_size != own:
            page.set_viewport_size(own)
            page.evaluate("([x, y]) => scrollTo(x, y)", scroll)
    if found:
        raise AccessibilityError(
            f"axe-core: {len(found)} WCAG 2.1 A/AA violation(s) on {page.url}\n" + "\n".join(found)
        )


def watch(page):
    """Check `page` with axe whenever the test waits for it to settle; `page.a11y_final()` checks
    the state it ends in. Returns the same page (still a Playwright Page, for `expect`)."""
    seen: set = set()

    def check_new_state():
        if page.is_closed() or page.url == "about:blank":
            return
        state = page.evaluate(_STATE)
        if state not in seen:
            seen.add(state)
            check(page)

    for name in SETTLING:
        original = getattr(page, name)

        @functools.wraps(original)
        def settled(*args, _original=original, **kwargs):
            result = _original(*args, **kwargs)
            check_new_state()
            return result

        setattr(page, name, settled)
    page.a11y_final = check_new_state
    return page
