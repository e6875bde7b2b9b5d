"""The dashboard's limits and defaults, in one place (routes, guards and docs read them)."""

#: Year shown when a request names none: the one default of the CLI, API and dashboard.
from cellchain.years import DEFAULT_YEAR  # noqa: F401

#: Largest scenario accepted, as a request body or as the file of a form [bytes]
#: (the same limit as scenario files on disk).
MAX_UPLOAD_BYTES = 256 * 1024
#: Largest request body of any kind [bytes]: a scenario plus room for multipart framing
#: and form fields. Counted on the bytes actually received, chunked or not.
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
#: Longest a model run may take before the client gets 504 and the worker is replaced [s].
MODEL_TIME_LIMIT = 60.0
#: Model worker processes (each holds its own warm flow model).
MODEL_WORKERS = 1
#: Model runs admitted at once (running plus waiting); more get 503 and Retry-After.
MODEL_MAX_PENDING = 8

#: Media types accepted for a scenario request body, by parser.
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
JSON_TYPES = ("application/json",)
MULTIPART_TYPE = "multipart/form-data"

#: Most draws (simulated years) of one Monte Carlo run from the dashboard, by mode: a
#: short run is vectorised (100,000 draws take about 2 s); a long run re-solves the flow
#: model for every draw (about 4 ms each), so its cap keeps it well inside the time limit.
#: The command line (cellchain risk montecarlo) has no such cap.
RISK_MAX_DRAWS = {"short": 100_000, "long": 1_000}
#: Draws when a request names none.
RISK_DEFAULT_DRAWS = 10_000
