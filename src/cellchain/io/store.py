"""The warehouse: an embedded DuckDB file built from the bundle. The only module that
imports ``duckdb``; everything else asks it for tables.

The file lives in the user cache folder (``CELLCHAIN_CACHE_DIR`` overrides it). It is built
on first use, rebuilt only when the fingerprint of its inputs changes (bundle manifest,
schema tables, overlay files), and always written to a temporary file that is renamed into
place, so a crash never leaves a broken warehouse behind.

Checking that the warehouse is current is cheap: a stamp file beside it records the
fingerprint with the size, mtime and inode of every input and of the warehouse. When
none of those changed, the inputs are not read at all; when one did, the inputs are
hashed and compared with the fingerprint stored in the warehouse (a file touched but not
changed costs one hash and refreshes the stamp). Inputs modified within
:data:`RACY_SECONDS` of the stamp are always hashed, since a same-size edit in the same
clock tick would not show in their mtime.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from cellchain import __version__, caches, schema
from cellchain.errors import DataError
from cellchain.io import bundle

log = logging.getLogger(__name__)

#: Bump when the warehouse layout changes in a way the inputs' hashes do not show.
LAYOUT_VERSION = "1"
WAREHOUSE_NAME = "warehouse.duckdb"
STAMP_NAME = "warehouse.duckdb.stamp"
#: Inputs changed this close [s] to the moment the stamp was taken are hashed anyway.
RACY_SECONDS = 2.0
BUNDLE_TABLES = ("production", "trade", "governance", "hs_products", "countries",
                 "country_codes")

#: Views over the base tables, created after loading.
VIEWS = {
    "trade_flows": """
        SELECT t.year, t.hs6, t.exporter_code, e.iso3 AS exporter, t.importer_code,
               i.iso3 AS importer, t.value_kusd, t.quantity_t
        FROM trade t
        LEFT JOIN (SELECT CAST(code AS SMALLINT) AS code, iso3 FROM country_codes
                   WHERE source = 'baci') e ON t.exporter_code = e.code
        LEFT JOIN (SELECT CAST(code AS SMALLINT) AS code, iso3 FROM country_codes
                   WHERE source = 'baci') i ON t.importer_code = i.code
    """,
}


def cache_dir() -> Path:
    """Folder of the warehouse file: ``$CELLCHAIN_CACHE_DIR`` or the user cache folder."""
    env = os.environ.get("CELLCHAIN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("cellchain", appauthor=False))


def warehouse_path() -> Path:
    """Path of the warehouse DuckDB file."""
    return cache_dir() / WAREHOUSE_NAME


def stamp_path() -> Path:
    """Path of the stamp file (stat-based fingerprint cache) beside the warehouse."""
    return cache_dir() / STAMP_NAME


def input_paths() -> list[Path]:
    """Every file the fingerprint reads: manifest, schema tables, registry and overlay."""
    from cellchain.io import registry

    return [bundle.bundle_dir() / "manifest.json", *schema.schema_files(),
            *registry.input_files()]


def _stat(path: Path) -> list:
    """[path, size, mtime_ns, inode], or [path, None, None, None] when missing."""
    try:
        st = path.stat()
    except OSError:
        return [str(path), None, None, None]
    return [str(path), st.st_size, st.st_mtime_ns, st.st_ino]


def _stamp_matches(stamp: dict, inputs: list[list], warehouse: list) -> bool:
    """True when the stamp describes exactly these inputs and this warehouse file, and no
    input changed so close to the stamp that its mtime cannot be trusted."""
    racy = stamp.get("taken_ns", 0) - int(RACY_SECONDS * 1e9)
    return (stamp.get("inputs") == inputs and stamp.get("warehouse") == warehouse
            and all(mtime is not None and mtime < racy for _, _, mtime, _ in inputs))


def _read_stamp() -> dict:
    try:
        stamp = json.loads(stamp_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def _write_stamp(wanted: str, inputs: list[list], taken_ns: int) -> None:
    """Record the fingerprint and the stats it was computed from (best effort: a cache
    folder that cannot take the file only makes the next check slower)."""
    path = stamp_path()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    record = {"fingerprint": wanted, "taken_ns": taken_ns, "inputs": inputs,
              "warehouse": _stat(warehouse_path())}
    try:
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def fingerprint() -> str:
    """Hash of everything the warehouse is built from; a change triggers a rebuild."""
    digest = hashlib.sha256()
    digest.update(f"layout={LAYOUT_VERSION};cellchain={__version__}".encode())
    manifest_path = bundle.bundle_dir() / "manifest.json"
    try:
        digest.update(manifest_path.read_bytes())
    except FileNotFoundError:
        raise DataError(f"Data bundle manifest {manifest_path} is missing.",
                        bundle.REBUILD_HINT) from None
    for path in schema.schema_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    from cellchain.errors import InvalidInputError
    from cellchain.io import files, registry

    for path in registry.input_files():
        digest.update(str(path).encode())
        try:  # regular files only, size-capped: a FIFO or /dev/zero never hangs here
            digest.update(files.read_bytes(path, "registry file", registry.MAX_OVERLAY_BYTES))
        except InvalidInputError:
            digest.update(b"<unreadable>")  # the registry load reports it
    return digest.hexdigest()


def _usable_cache_dir() -> Path:
    """The cache folder, created if needed; DataError in one line when it cannot hold the
    warehouse (a file, read-only, or somewhere like /proc)."""
    folder = cache_dir()
    where = f"Cache folder {str(folder)!r} (CELLCHAIN_CACHE_DIR)"
    hint = "Set CELLCHAIN_CACHE_DIR to a folder you can write to."
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DataError(f"{where} is not a folder.", hint) from None
    except OSError as exc:
        raise DataError(f"{where} cannot be created ({exc.strerror}).", hint) from None
    if not folder.is_dir():
        raise DataError(f"{where} is not a folder.", hint)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataError(f"{where} is not writable.", hint)
    return folder


def clean_stale_temp_files(folder: Path) -> list[Path]:
    """Remove temporary warehouse files left by builds that were interrupted (Ctrl+C, a
    kill, a power cut): those whose process no longer runs. Returns what was removed."""
    from cellchain.io import files

    removed = []
    for path in folder.glob(f".{WAREHOUSE_NAME}.*.tmp*"):
        pid_text = path.name[len(WAREHOUSE_NAME) + 2:].split(".", 1)[0]
        if pid_text.isdigit() and files.process_running(int(pid_text)):
            continue
        try:
            path.unlink()
            removed.append(path)
        except OSError:
            pass  # another process's cleanup got there first
    return removed





def _stored_fingerprint(path: Path) -> str | None:
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except Exception:  # unreadable or not a DuckDB file: rebuild
        return None
    try:
        row = con.execute("SELECT value FROM _build WHERE key = 'fingerprint'").fetchone()
        return row[0] if row else None
    except Exception:
        return None
    finally:
        con.close()


def _check() -> tuple[bool, str | None, list[list], int]:
    """(current?, fingerprint or None if not computed, input stats, when taken [ns])."""
    taken_ns = time.time_ns()
    inputs = [_stat(p) for p in input_paths()]
    path = warehouse_path()
    warehouse = _stat(path)
    if warehouse[1] is None:
        return False, None, inputs, taken_ns
    if _stamp_matches(_read_stamp(), inputs, warehouse):
        return True, None, inputs, taken_ns
    wanted = fingerprint()
    current = _stored_fingerprint(path) == wanted
    if current:
        _write_stamp(wanted, inputs, taken_ns)
    return current, wanted, inputs, taken_ns


def is_current() -> bool:
    """True if the warehouse file exists and was built from the current inputs."""
    return _check()[0]


def build(force: bool = False) -> Path:
    """Build the warehouse if it is missing or stale (or always, with ``force``).

    Returns the path of the warehouse file. The new file is written next to the old one
    under a temporary name and renamed into place only when complete.
    """
    path = warehouse_path()
    if force:
        close()
        taken_ns = time.time_ns()
        inputs = [_stat(p) for p in input_paths()]
        wanted = fingerprint()
    else:
        current, wanted, inputs, taken_ns = _check()
        if current:
            return path
        wanted = wanted or fingerprint()
    import duckdb

    from cellchain.io import registry

    reg = registry.load_valid()  # a bad overlay fails here, before anything is written
    clean_stale_temp_files(_usable_cache_dir())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        con = duckdb.connect(str(tmp))
        try:
            _load_bundle(con)
            _load_registry(con, reg)
            for name, sql in VIEWS.items():
                con.execute(f'CREATE VIEW "{name}" AS {sql}')
            con.execute("CREATE TABLE _build (key VARCHAR, value VARCHAR)")
            con.executemany("INSERT INTO _build VALUES (?, ?)", [
                ("fingerprint", wanted), ("cellchain", __version__),
                ("built_seconds", f"{time.perf_counter() - started:.3f}")])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
        _write_stamp(wanted, inputs, taken_ns)
        caches.clear_all()  # every answer derived from the old warehouse is stale
    except DataError:
        raise
    except OSError as exc:
        raise DataError(f"Writing the warehouse in {str(path.parent)!r} failed "
                        f"({exc.strerror}).", "Free some space or set CELLCHAIN_CACHE_DIR "
                        "to another folder.") from None
    except duckdb.Error as exc:
        raise DataError(f"Building the warehouse failed: {exc}".splitlines()[0],
                        "Run 'cellchain data validate' to find the bad input.") from None
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    log.info("built warehouse %s in %.2f s", path, time.perf_counter() - started)
    return path


def _load_bundle(con) -> None:
    """Create every bundle table from its schema and load it from the verified Parquet file."""
    entries = {e["table"]: e for e in bundle.entries()}
    for table in BUNDLE_TABLES:
        if table not in entries:
            raise DataError(f"Data bundle has no table {table!r}.", bundle.REBUILD_HINT)
        path = bundle.verify_file(entries[table])
        cols = schema.columns("bundle")[table]
        names = ", ".join(f'"{c.name}"' for c in cols)
        con.execute(schema.ddl(table))
        try:
            con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} '
                        f"FROM read_parquet(?)", [str(path)])
        except Exception as exc:
            raise DataError(
                f"Data bundle file {path} does not match the schema of table {table!r}: "
                f"{str(exc).splitlines()[0]}", bundle.REBUILD_HINT) from None


_connection = None


def _load_registry(con, reg=None) -> None:
    """Validate the registry (bundled plus overlay) and load each table from its schema.

    Raises :class:`~cellchain.errors.ValidationError` before anything is written when any
    row is invalid, so a bad overlay never replaces a good warehouse.
    """
    import pyarrow as pa

    from cellchain.io import registry

    reg = reg if reg is not None else registry.load_valid()
    arrow_types = {"VARCHAR": pa.string(), "DOUBLE": pa.float64(), "INTEGER": pa.int64(),
                   "DATE": pa.string(), "BOOLEAN": pa.bool_(), "SMALLINT": pa.int16()}
    for table in registry.TABLES:
        cols = schema.columns("registry")[table]
        con.execute(schema.ddl(table, "registry"))
        data = pa.Table.from_pylist(
            reg.records(table),
            schema=pa.schema([(c.name, arrow_types[c.type]) for c in cols]))
        con.register("_incoming", data)
        names = ", ".join(f'"{c.name}"' for c in cols)
        con.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM _incoming')
        con.unregister("_incoming")


def connection():
    """The process's read-only DuckDB connection to the current warehouse.

    The warehouse is built (or rebuilt) on the first call; later calls reuse the
    connection.
    """
    global _connection
    if _connection is None:
        import duckdb

        _connection = duckdb.connect(str(build()), read_only=True)
    return _connection


@caches.on_clear
def close() -> None:
    """Close the process's connection (the next query reopens it, rebuilding the warehouse
    first if its inputs changed). :func:`cellchain.caches.clear_all` calls it."""
    global _connection
    if _connection is not None:
        _connection.close()
        _connection = None


def query(sql: str, params: Sequence | None = None):
    """Run one read-only query on the warehouse and return a pandas DataFrame."""
    return connection().execute(sql, params or []).df()


def query_rows(sql: str, params: Sequence | None = None) -> list[tuple]:
    """Run one read-only query and return plain tuples (no pandas)."""
    return connection().execute(sql, params or []).fetchall()
