"""Generated requests against the dashboard's own OpenAPI document (schemathesis).

Every operation of /api/openapi.json gets a bounded, derandomized set of generated
requests, valid ones and invalid ones; each response is checked against the document by
schemathesis's checks: no 5xx, only documented status codes, documented content types
and bodies, valid data accepted, invalid data refused, 405 with Allow for unsupported
methods.
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    negative_data_rejection,
    positive_data_acceptance,
)

#: Generated examples per operation and mode (the document has 8 operations).
EXAMPLES = 40
#: Requests sent, by mode (reported at the end of the run, see conftest.py).
SENT = {"positive": 0, "negative": 0}


@pytest.fixture(scope="module")
def api_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server}/api/openapi.json")


def operations(schema):
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 8, [op.label for op in ops]
    return ops


#: Operations whose valid bodies can still be refused: a scenario that fits the JSON Schema
#: may name a facility, entity or bloc that does not exist, or clash with the data (a new
#: facility reusing an id); an article may yield no proposal to write, or have no URL to
#: cite; a risk run may ask for a year the chain cannot be traced in, a market without cell
#: demand that year, or more long-mode draws than its lower cap; no schema can say that.
#: For these, schema-valid data must get 200, a 404 (unknown name), or a 400 (422 where
#: listed) whose message starts as listed (it names what was refused).
SEMANTIC = {"POST /api/scenarios/run": ("uploaded scenario", "uploaded file"),
            "POST /api/news/overlay": ("No accepted proposal", "Article ",
                                       "Unknown proposal id"),
            "GET /api/risk": ("The registry counts no", "Market ", "draws: ")}
#: The status of a semantic refusal, where it is not 400.
SEMANTIC_STATUS = {"GET /api/risk": (400, 422)}


#: Operations whose bodies may be large text: an invalid body can also be over the request
#: limit, and then the answer is 413 (the body is never read), which schemathesis does not
#: count as a rejection. For these, invalid data must get a 4xx of the document.
SIZE_LIMITED = {"POST /api/news/extract", "POST /api/news/overlay"}
REJECTIONS = (400, 404, 405, 413, 415, 422)


def has_inputs(op) -> bool:
    return bool(len(op.path_parameters) + len(op.query) + len(op.body))


def check_operation(op, mode, base_url: str) -> None:
    """Send EXAMPLES generated requests to ``op`` and validate every response."""
    semantic = op.label in SEMANTIC and mode.is_positive
    sized = op.label in SIZE_LIMITED and not mode.is_positive

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        SENT[mode.value] += 1
        res = case.call_and_validate(
            base_url=base_url, timeout=120,
            excluded_checks=([positive_data_acceptance] if semantic else
                             [negative_data_rejection] if sized else None))
        if sized:
            assert res.status_code in REJECTIONS, (res.status_code, res.text[:300])
        if semantic and res.status_code not in (200, 404):
            assert res.status_code in SEMANTIC_STATUS.get(op.label, (400,)), res.text
            error = res.json()["error"]
            assert error.startswith(SEMANTIC[op.label]), error

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(api_schema, live_server, mode):
    checked = 0
    for op in operations(api_schema):
        if not mode.is_positive and not has_inputs(op):
            continue  # nothing to make invalid
        check_operation(op, mode, live_server)
        checked += 1
    assert checked >= (8 if mode.is_positive else 6)
