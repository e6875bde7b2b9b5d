"""Local web dashboard (FastAPI + Jinja2) over the cellchain library."""
