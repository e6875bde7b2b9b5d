"""Reading a scenario from a request: YAML, JSON or a multipart form with a file.

The body has already passed :class:`~cellchain.dashboard.guards.BodyLimit`, so it is at
most ``MAX_REQUEST_BYTES`` and held in memory; the multipart parser keeps parts of that
size in memory too (its spool threshold is 1 MiB), so nothing reaches the disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.requests import Request

from cellchain.dashboard import limits
from cellchain.errors import CellchainError, InvalidInputError, TooLargeError


class UnsupportedMediaTypeError(CellchainError):
    """A scenario body whose Content-Type is not YAML, JSON or multipart/form-data."""

    http_status = 415


@dataclass(frozen=True)
class Upload:
    raw: bytes
    kind: str  # "yaml" or "json"
    source: str  # how messages name it
    fields: dict[str, str]  # other form fields (multipart only)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_scenario(request: Request, form_fields: tuple[str, ...] = (),
                        multipart_only: bool = False) -> Upload:
    """The scenario in the request: the whole body for YAML and JSON, the ``file`` part
    of a multipart form (JSON when its name ends in ``.json``, else YAML, which also
    reads JSON text)."""
    media = media_type(request)
    accepted = (limits.MULTIPART_TYPE,) if multipart_only else (
        *limits.YAML_TYPES, *limits.JSON_TYPES, limits.MULTIPART_TYPE)
    if media not in accepted:
        raise UnsupportedMediaTypeError(
            f"Content-Type {media or '(none)'!r} is not accepted for a scenario.",
            f"Send one of: {', '.join(accepted)}.")
    fields: dict[str, str] = {}
    if media == limits.MULTIPART_TYPE:
        form = await request.form(max_files=1, max_fields=len(form_fields) + 1,
                                  max_part_size=limits.MAX_REQUEST_BYTES)
        try:
            upload = form.get("file")
            if isinstance(upload, UploadFile):
                raw = await upload.read(limits.MAX_UPLOAD_BYTES + 1)
                name = (upload.filename or "").strip()[:120]
            elif isinstance(upload, str) and upload:  # a part sent without a file name
                raw, name = upload.encode("utf-8"), ""
            else:
                raise InvalidInputError("The form has no scenario in its 'file' field.",
                                        "Attach the scenario file as 'file'.")
            for key in form_fields:
                value = form.get(key)
                if isinstance(value, str) and value:
                    fields[key] = value
        finally:
            await form.close()
        kind = "json" if name.lower().endswith(".json") else "yaml"
        source = f"uploaded file {name}" if name else "uploaded file"
    else:
        raw = await request.body()
        kind = "json" if media in limits.JSON_TYPES else "yaml"
        source = "uploaded scenario"
    if len(raw) > limits.MAX_UPLOAD_BYTES:
        raise TooLargeError(f"{source}: the scenario is over the limit of "
                            f"{limits.MAX_UPLOAD_BYTES} bytes.", "Send a smaller file.")
    return Upload(raw, kind, source, fields)
