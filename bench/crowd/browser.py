"""One real browser in the lecture hall: Chromium (Playwright) moves the Explorer's B12 slider by key presses and
times each press until the verdict's text changes, while bench/crowd/run.py's protocol students load the server.

    .venv/bin/python bench/crowd/browser.py --url http://127.0.0.1:8501 --presses 40

Prints JSON: every press's milliseconds, p50 and p95. The waits are the ones bench/run.py uses (a MutationObserver
on the verdict container, then the app's script state back to "notRunning"), kept here so this tool does not
depend on that file's layout. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
QUERY = "b12=180&b12_unit=pg%2FmL"  # borderline; one step left (179) is low: each press changes the verdict
VERDICT = ".st-key-verdict_panel"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ARM_JS = """(selector) => {
  const old = document.querySelector(selector)?.innerText;
  const bench = {t0: null};
  window.__crowd = bench;
  window.addEventListener('keydown', () => { bench.t0 = performance.now(); }, {capture: true, once: true});
  bench.done = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const now = document.querySelector(selector)?.innerText;
      if (bench.t0 !== null && now !== undefined && now !== old) {
        observer.disconnect();
        resolve(performance.now() - bench.t0);
      }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}"""
DONE_JS = """(timeout) => Promise.race([window.__crowd.done,
  new Promise((_, reject) => setTimeout(() => reject(new Error('verdict did not change')), timeout))])"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between presses")
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("browser.py: loopback only")

    from playwright.sync_api import sync_playwright

    times: list[float] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{args.url.rstrip('/')}/?{QUERY}")
            page.wait_for_selector(IDLE, timeout=120_000)
            page.wait_for_selector(VERDICT, timeout=60_000)
            thumb = page.locator('[data-testid="stSlider"]').filter(has_text="B12").first.get_by_role("slider")
            thumb.wait_for(state="visible", timeout=60_000)
            page.wait_for_selector(IDLE, timeout=60_000)
            for i in range(args.presses + 3):
                thumb.focus()
                page.evaluate(ARM_JS, VERDICT)
                page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")
                try:
                    ms = float(page.evaluate(DONE_JS, 30_000))
                    page.wait_for_selector(IDLE, timeout=30_000)
                except Exception as exc:  # Playwright's errors: counted, not fatal
                    errors.append(str(exc)[:200])
                    continue
                if i >= 3:  # the first presses warm the page
                    times.append(ms)
                time.sleep(args.pause)
        finally:
            chromium.close()
    ordered = sorted(times)
    result = {
        "presses": len(times),
        "errors": errors,
        "ms": [round(t, 1) for t in times],
        "p50_ms": statistics.median(ordered) if ordered else None,
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else None,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
