"""The whole API under schemathesis, as an anonymous caller, a learner and an organisation admin: every operation of
the OpenAPI schema gets a few generated requests (valid ones and invalid ones), sent through the WSGI application,
and each answer must be no server error, carry a status the operation declares, and match the declared shape.

Bounded: SAKSHAM_FUZZ_EXAMPLES requests per operation, caller and kind of data (default 2), no shrinking, so the run
stays well under a minute on two cores; raise it locally for a deeper search."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from saksham.api import api as ninja_api
from saksham.people.models import Role
from saksham.people.services import api_token_create

EXAMPLES = int(os.environ.get("SAKSHAM_FUZZ_EXAMPLES", "2"))
ONLY = os.environ.get("SAKSHAM_FUZZ_ONLY", "")  # a part of a path: fuzz only the operations whose path has it
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _operations():
    schema = schemathesis.openapi.from_dict(ninja_api.get_openapi_schema(path_prefix=""))
    for result in schema.get_all_operations():
        operation = result.ok()
        if ONLY in operation.path:
            yield operation


def _run(operation, headers, app, mode) -> list[str]:
    failures: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.headers = {**(case.headers or {}), **headers}
        response = case.call(base_url="http://testserver/api/v1", app=app)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:  # every failure is collected and reported at the end
            for failure in group.exceptions:
                failures.append(f"{case.method} {case.path} {response.status_code}: {failure.title}"
                                f" [{case.formatted_path[:80]}] {response.text[:160]!r}")
        except Failure as failure:
            failures.append(f"{case.method} {case.path} {response.status_code}: {failure.title}"
                            f" [{case.formatted_path[:80]}] {response.text[:160]!r}")

    try:
        check()
    except Unsatisfiable:  # no invalid request can be built for it (an operation without parameters)
        pass
    return failures


def _distinct(failures: list[str]) -> list[str]:
    """One line per operation, status and kind of failure (the first example of each)."""
    seen: dict[str, str] = {}
    for line in failures:
        seen.setdefault(line.split(" [")[0], line)
    return list(seen.values())


@pytest.fixture
def callers(orgs, make_user):
    learner = make_user("fuzz.learner@dopt.gov.in", orgs["HQ"])
    admin = make_user("fuzz.admin@dopt.gov.in", orgs["DOPT"], role=Role.MDO_ADMIN)
    return {
        "anonymous": {},
        "learner": {"Authorization": f"Bearer {api_token_create(user=learner, name='fuzz')[1]}"},
        "admin": {"Authorization": f"Bearer {api_token_create(user=admin, name='fuzz')[1]}"},
    }


@pytest.fixture
def wsgi_app(settings):
    """The WSGI application inside the test's transaction: as Django's test client, the connection is not closed
    at the end of each request."""
    settings.ALLOWED_HOSTS = ["testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("who", ["anonymous", "learner", "admin"])
def test_no_server_error_and_answers_match_the_schema(who, callers, wsgi_app):
    app = wsgi_app
    failures: list[str] = []
    operations = list(_operations())
    assert ONLY or len(operations) > 150
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run(operation, callers[who], app, mode)
    print(f"{len(operations)} operations, {len(failures)} failures as {who}")
    assert not failures, f"{len(failures)} failures as {who}:\n" + "\n".join(_distinct(failures))
