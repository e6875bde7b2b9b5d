"""PNG export of figure dicts through kaleido and a Chromium already on the machine.

kaleido drives a local Chromium (never downloads one). The world outline is read from
the package's assets folder and MathJax is switched off, so nothing is fetched over the
network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from cellchain.errors import CellchainError, InvalidInputError
from cellchain.report import assets

#: Browsers kaleido may use, in order; ``BROWSER_PATH`` overrides them.
BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
WIDTH, HEIGHT = 1200, 600


def find_browser() -> str:
    """Path of a Chromium-family browser; CellchainError with how to install one."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        if Path(explicit).is_file():
            return explicit
        raise CellchainError(f"BROWSER_PATH={explicit} does not exist.",
                             "Point BROWSER_PATH at a Chromium executable or unset it.")
    for name in BROWSER_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise CellchainError("PNG export needs Chromium and none was found.",
                         "Install it (Debian/Ubuntu: apt-get install chromium) or set "
                         "BROWSER_PATH; the HTML report itself does not need it.")


def write_pngs(figures: dict[str, dict], folder: Path) -> list[Path]:
    """Write each figure as ``folder/<key>.png`` (1200 x 600 px); returns the paths.

    Images are rendered into a temporary folder first and moved into place only when all
    of them succeeded, so a failure leaves ``folder`` as it was.
    """
    import tempfile

    import kaleido

    folder = check_folder(folder)
    browser = find_browser()
    created = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
        return _render(figures, folder, browser, kaleido, tempfile)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def check_folder(folder) -> Path:
    """The PNG folder, checked: an existing folder (not a link) or a new name in an
    existing writable folder; InvalidInputError otherwise."""
    import stat

    folder = Path(str(folder)).expanduser()
    if not str(folder).strip():
        raise InvalidInputError("The --png folder is empty.", "Give a folder path.")
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        parent = folder.parent
        if not parent.is_dir():
            raise InvalidInputError(f"Folder {str(parent)!r} (for --png) does not exist.",
                                    "Create it first.") from None
        if not os.access(parent, os.W_OK | os.X_OK):
            raise InvalidInputError(f"Folder {str(parent)!r} (for --png) is read-only.",
                                    "Choose a folder you can write to.") from None
        return folder
    except OSError as exc:
        raise InvalidInputError(f"--png folder {str(folder)!r} cannot be used "
                                f"({exc.strerror}).", "Give a folder path.") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InvalidInputError(f"{str(folder)!r} exists and is not a folder.",
                                "Give --png a folder path.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInputError(f"--png folder {str(folder)!r} is read-only.",
                                "Choose a folder you can write to.")
    return folder


def _render(figures, folder: Path, browser, kaleido, tempfile) -> list[Path]:
    topojson = assets.world_topojson_path().parent.as_uri()
    with tempfile.TemporaryDirectory(dir=folder, prefix=".png-") as tmp:
        jobs = [{"fig": fig, "path": str(Path(tmp) / f"{key}.png"), "topojson": topojson,
                 "opts": {"format": "png", "width": WIDTH, "height": HEIGHT}}
                for key, fig in figures.items()]
        try:
            kaleido.write_fig_from_object_sync(
                jobs, kopts={"mathjax": False, "path": browser, "n": 1})
        except Exception as exc:  # kaleido wraps browser failures in several types
            raise CellchainError(f"PNG export failed: {exc}".splitlines()[0],
                                 "Check that Chromium starts (chromium --headless "
                                 "--version) or set BROWSER_PATH.") from None
        out = []
        for key in figures:
            target = folder / f"{key}.png"
            os.replace(Path(tmp) / f"{key}.png", target)
            out.append(target)
    return out
