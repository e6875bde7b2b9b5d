"""Static assets served from the package (no directory listing, no paths from requests)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from cellchain.report import assets

router = APIRouter(prefix="/static", include_in_schema=False)


@router.get("/plotly.min.js")
def plotly_js():
    return FileResponse(assets.plotly_js_path(), media_type="text/javascript")


@router.get(f"/topojson/{assets.WORLD_TOPOJSON}")
def world_outline():
    return FileResponse(assets.world_topojson_path(), media_type="application/json")
