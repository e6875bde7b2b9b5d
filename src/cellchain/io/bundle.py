"""The public data bundle shipped in the package: where its files are and what they are.

The bundle is a folder of zstd Parquet files and ``manifest.json`` (publisher, dataset,
vintage, licence, citation and sha256 of each file), written by
``scripts/refresh_data.py``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cellchain import caches
from cellchain.errors import DataError

BUNDLE_DIR = Path(__file__).resolve().parents[1] / "data" / "bundle"
REBUILD_HINT = (
    "Reinstall cellchain (pip install --force-reinstall .) or rebuild the bundle with "
    "'python scripts/refresh_data.py'."
)


def bundle_dir() -> Path:
    """Folder of the bundled Parquet files."""
    return BUNDLE_DIR


@caches.cached
def manifest() -> dict:
    """The bundle manifest as a dict; a missing or unreadable manifest is a DataError."""
    path = BUNDLE_DIR / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"Data bundle manifest {path} is missing.", REBUILD_HINT) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"Data bundle manifest {path} is unreadable ({exc}).",
                        REBUILD_HINT) from None


def entries() -> list[dict]:
    """One manifest entry per bundle table."""
    return list(manifest()["files"])


def table_path(table: str) -> Path:
    """Path of the Parquet file holding ``table``; DataError if it is missing."""
    for entry in entries():
        if entry["table"] == table:
            path = BUNDLE_DIR / entry["file"]
            if not path.is_file():
                raise DataError(f"Data bundle file {path} is missing.", REBUILD_HINT)
            return path
    raise DataError(f"Data bundle has no table {table!r}.", REBUILD_HINT)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(entry: dict) -> Path:
    """Check one bundle file exists and matches its manifest hash; return its path."""
    path = table_path(entry["table"])
    if file_sha256(path) != entry["sha256"]:
        raise DataError(
            f"Data bundle file {path} is corrupt (sha256 does not match manifest.json).",
            REBUILD_HINT)
    return path
