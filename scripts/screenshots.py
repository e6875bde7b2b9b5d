"""Screenshots of the dashboard pages and of the HTML report, for docs/ and the README.

    python scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

Writes the USA 2024 report to a temporary folder, serves the dashboard on a free
loopback port, and captures each page with the system Chromium (Playwright drives it;
no browser is downloaded). Needs the [test] extra.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGES = {
    "dashboard-map.png": ("/", "document.getElementById('map').dataset.ready === '1'"),
    "dashboard-facility.png": ("/facility/liotech-novosibirsk?year=2011", None),
    "dashboard-market.png": ("/market/USA", "document.querySelectorAll('.main-svg').length > 1"),
    "dashboard-scenario.png": ("/scenario?name=us_fta_only&market=USA",
                               "document.querySelectorAll('#fig-scenario .main-svg').length"),
}


def serve() -> tuple[str, object]:
    import uvicorn

    from cellchain.dashboard.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                           log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or
                        shutil.which("chromium-browser"))
    args = parser.parse_args(argv)
    if not args.chromium:
        print("error: no system Chromium; install it (apt-get install chromium) or pass "
              "--chromium PATH", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from cellchain.report import content, figures, html

    args.out.mkdir(parents=True, exist_ok=True)
    base, server = serve()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        report = Path(tmp) / "usa.html"
        data = content.market_report("USA", 2024)
        html.write(report, html.render(data, figures.report_figures(data)))
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, (path, ready) in PAGES.items():
            page.goto(base + path)
            if ready:
                page.wait_for_function(ready)
            page.screenshot(path=str(args.out / name), full_page=False)
            print(f"wrote {args.out / name}")
        page.goto(report.as_uri())
        page.wait_for_selector("#fig-map .scattergeo .point")
        page.screenshot(path=str(args.out / "report-usa.png"), full_page=False)
        print(f"wrote {args.out / 'report-usa.png'}")
        browser.close()
    server.should_exit = True
    return 0


if __name__ == "__main__":
    sys.exit(main())
