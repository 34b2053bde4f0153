"""The app's only browser script: the copy-link button and the guard that keeps a swipe from moving a slider.

One small st.components.v2 component (no iframe: its script runs in the app page), drawn in the case summary
on every page. Its HTML, CSS and script are fixed strings written here; no user input reaches them.

- Copy link: copying must happen in the browser, inside the user's tap. It copies the page's address, which
  holds the case (ui/state.py). navigator.clipboard needs a secure context (https or localhost); on a
  plain-http hospital intranet it is missing, so the script falls back to copying a selected text field, and
  if that fails too it shows the link selected for the user to copy by hand.
- The opener's name: the control that opens the case inputs is announced as "Case inputs", the words it shows.
- Swipe guard (issue 19): ui/style.css stops a touch on a slider's track from setting a value and lets the
  browser scroll when a swipe on the thumb goes up or down; but react-aria's slider still moves the thumb by
  the few pixels the finger drifts sideways before the browser takes the swipe over (250 -> 254 in the browser
  test). The guard holds back a touch's moves on a slider until the finger has gone 10 px, and lets them
  through only when the gesture is more sideways than up or down: a scroll never reaches the slider.
"""

from __future__ import annotations

import streamlit as st

_HTML = """
<div class="share">
  <button type="button" class="copy">Copy link</button>
  <span class="status" role="status" aria-live="polite"></span>
</div>
"""

# Sized and coloured like Streamlit's secondary buttons, from the theme variables it gives components.
_CSS = """
.share { display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap; font-family: var(--st-font, inherit); }
.copy {
  min-height: 40px; padding: 0.25rem 0.75rem; border-radius: 0.5rem; cursor: pointer; font: inherit;
  font-size: 1rem; line-height: 1.6; color: var(--st-text-color, inherit);
  background: var(--st-background-color, transparent);
  border: 1px solid var(--st-border-color, rgba(128, 128, 128, 0.4));
}
.copy:hover, .copy:focus-visible { border-color: var(--st-primary-color, #0072b2); color: var(--st-primary-color, #0072b2); }
/* Said on the button itself (the row keeps its width); the status line is for screen readers, and shows
   only when the link has to be copied by hand. */
.status:not(:has(input)) { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
.status { font-size: 0.875rem; color: var(--st-text-color, inherit); overflow-wrap: anywhere; flex-basis: 100%; }
.status input { width: 100%; font: inherit; }
"""

_JS = """
const installSwipeGuard = () => {
  if (window.__b12SwipeGuard) return;
  window.__b12SwipeGuard = true;
  const touches = new Map();  // pointerId -> {x, y, decided}
  const onSlider = (event) => event.target instanceof Element && event.target.closest('[data-testid="stSlider"]');
  window.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'touch' && onSlider(event)) {
      touches.set(event.pointerId, { x: event.clientX, y: event.clientY, decided: null });
    }
  }, true);
  window.addEventListener('pointermove', (event) => {
    const touch = touches.get(event.pointerId);
    if (!touch) return;
    if (touch.decided === null) {
      const dx = Math.abs(event.clientX - touch.x), dy = Math.abs(event.clientY - touch.y);
      if (Math.max(dx, dy) >= 10) touch.decided = dx > dy ? 'slide' : 'scroll';
    }
    if (touch.decided !== 'slide') event.stopImmediatePropagation();
  }, true);
  const forget = (event) => touches.delete(event.pointerId);
  window.addEventListener('pointerup', forget, true);
  window.addEventListener('pointercancel', forget, true);
};

// The control that opens the inputs shows "Case inputs" (ui/style.css); its accessible name must say the
// same words (WCAG 2.5.3, label in name), but Streamlit names it "Expand sidebar". Set it whenever Streamlit
// draws the button anew.
const nameTheOpener = () => {
  if (window.__b12OpenerNamed) return;
  window.__b12OpenerNamed = true;
  const name = () => {
    const opener = document.querySelector('[data-testid="stExpandSidebarButton"]');
    if (opener && opener.getAttribute('aria-label') !== 'Case inputs') opener.setAttribute('aria-label', 'Case inputs');
  };
  name();
  new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
};

export default function (component) {
  installSwipeGuard();
  nameTheOpener();
  const root = component.parentElement;
  const button = root.querySelector('.copy');
  const status = root.querySelector('.status');
  const fallback = (text) => {
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.style.position = 'fixed';
    field.style.opacity = '0';
    document.body.appendChild(field);
    field.select();
    let done = false;
    try { done = document.execCommand('copy'); } catch (err) { done = false; }
    field.remove();
    return done;
  };
  const show = (text, manual) => {
    status.textContent = '';
    if (manual) {
      const field = document.createElement('input');
      field.value = manual;
      field.readOnly = true;
      field.setAttribute('aria-label', 'Link to this case');
      status.append('Copy this link: ', field);
      field.select();
    } else {
      status.textContent = text;
    }
  };
  button.onclick = async () => {
    const link = window.location.href;
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(link); copied = true; } catch (err) { copied = false; }
    }
    if (!copied) copied = fallback(link);
    show(copied ? 'Link copied' : '', copied ? null : link);
    if (copied) {
      button.textContent = 'Link copied';
      setTimeout(() => {
        button.textContent = 'Copy link';
        if (status.textContent === 'Link copied') status.textContent = '';
      }, 4000);
    }
  };
}
"""

_component = st.components.v2.component("b12_copy_link", html=_HTML, css=_CSS, js=_JS)


def copy_link_button() -> None:
    """A "Copy link" button (and the swipe guard); the page's address already carries the case (state.build
    writes it on every run)."""
    _component(key="copy_link")
