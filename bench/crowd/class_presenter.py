"""The presenter's screen during a class run: real Chromium on /class?room=CODE&key=KEY, recording every change of
the live count (the fragment refreshed every second) with the wall-clock time it appeared.

    .venv/bin/python bench/crowd/class_presenter.py --url http://127.0.0.1:8790 --room K7QM2X --key KEY --seconds 40

Watches for --seconds, or until SIGTERM. Prints JSON {"series": [[unix seconds, count], ...], "errors": [...]}. A MutationObserver in the page stamps each
new value with Date.now() (the same clock as the load tool's), so bench/crowd/class_run.py can say how long after
an answer was confirmed the presenter saw it counted. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import signal
import time
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
METRIC = ".st-key-class_count [data-testid='stMetricValue']"
WATCH_JS = """(selector) => {
  window.__counts = [];
  let last = null;
  const look = () => {
    const el = document.querySelector(selector);
    const value = el ? el.innerText.trim() : null;
    if (value !== null && value !== last) { last = value; window.__counts.push([Date.now() / 1000, Number(value)]); }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--seconds", type=float, default=40)
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("class_presenter.py: loopback only")

    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    series: list[list[float]] = []
    stop = {"asked": False}  # SIGTERM (class_run.py, once the students are done): stop watching, print the series
    signal.signal(signal.SIGTERM, lambda *_: stop.update(asked=True))
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = chromium.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{args.url.rstrip('/')}/class?room={args.room}&key={args.key}")
            page.wait_for_selector(METRIC, timeout=120_000)
            page.evaluate(WATCH_JS, METRIC)
            print(json.dumps({"ready": time.time()}), flush=True)
            end = time.time() + args.seconds
            while time.time() < end and not stop["asked"]:
                page.wait_for_timeout(500)
            series = page.evaluate("() => window.__counts")
        except Exception as exc:  # Playwright's errors: reported, not fatal
            errors.append(str(exc)[:300])
        finally:
            chromium.close()
    print(json.dumps({"series": series, "errors": errors}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
