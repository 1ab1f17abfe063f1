"""The hook dispatcher: the declarations, the system check of the settings' dotted paths, the map the docs show."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from saksham.core import hooks

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def wrong_arity(source, target):      # ORG_MERGE_STEPS listeners take one OrgsMerged
    return 0


def takes_payload(payload):
    CALLS.append(payload)
    return len(CALLS)


def fails(payload):
    raise RuntimeError("listener failed")


CALLS: list = []


@pytest.fixture(autouse=True)
def _declared_here_only():
    """Points a test declares leave the registry with it."""
    before = hooks.discover()
    yield
    hooks._points.clear()
    hooks._points.update(before)


def test_the_real_settings_pass_the_checks():
    call_command("check")


def test_a_misspelt_path_fails_the_check_naming_setting_and_path(settings):
    settings.ORG_MERGE_STEPS = [*settings.ORG_MERGE_STEPS, "saksham.people.services.people_mvoe_org"]
    with pytest.raises(SystemCheckError) as e:
        call_command("check")
    assert "saksham.E001" in str(e.value)
    assert "settings.ORG_MERGE_STEPS: saksham.people.services.people_mvoe_org does not resolve" in str(e.value)


def test_a_callable_of_the_wrong_signature_fails_the_check(settings):
    settings.COURSE_PAGE_PANELS = ["tests.core.test_hooks.takes_payload"]          # panels take (request, course)
    settings.ORG_MERGE_STEPS = ["tests.core.test_hooks.wrong_arity"]
    with pytest.raises(SystemCheckError) as e:
        call_command("check")
    text = str(e.value)
    assert "settings.COURSE_PAGE_PANELS: tests.core.test_hooks.takes_payload does not accept (request, course)" in text
    assert "settings.ORG_MERGE_STEPS: tests.core.test_hooks.wrong_arity does not accept (payload)" in text


def test_a_one_path_setting_and_the_periodic_tasks_are_checked(settings):
    settings.COMPETENCY_CHOICES = "saksham.competencies.queries.nothing_here"
    settings.PERIODIC_TASKS = [("saksham.learning.services.programs_recount", 60)]    # a function, not a task
    with pytest.raises(SystemCheckError) as e:
        call_command("check")
    assert "settings.COMPETENCY_CHOICES: saksham.competencies.queries.nothing_here does not resolve" in str(e.value)
    assert "saksham.E002" in str(e.value) and "programs_recount is not a task" in str(e.value)


@dataclass(frozen=True)
class Ping:
    n: int


def test_payloads_are_frozen_dataclasses_and_typed():
    with pytest.raises(TypeError):
        hooks.declare("TEST_UNFROZEN", phase=hooks.Phase.AFTER_COMMIT, payload=dict)
    point = hooks.declare("TEST_PING_STEPS", phase=hooks.Phase.TRANSACTION, payload=Ping)
    with pytest.raises(TypeError):
        hooks.run(point, {"n": 1})
    with pytest.raises(ValueError):
        hooks.after_commit(point, Ping(1))                # a transaction point is not run after commit


@pytest.mark.django_db
def test_transaction_points_run_each_listener_in_a_savepoint(settings, caplog):
    logged = hooks.declare("TEST_LOGGED_STEPS", phase=hooks.Phase.TRANSACTION, payload=Ping, on_error="log")
    strict = hooks.declare("TEST_STRICT_STEPS", phase=hooks.Phase.TRANSACTION, payload=Ping)
    settings.TEST_LOGGED_STEPS = settings.TEST_STRICT_STEPS = [
        "tests.core.test_hooks.takes_payload", "tests.core.test_hooks.fails", "tests.core.test_hooks.takes_payload"]
    CALLS.clear()
    with caplog.at_level(logging.ERROR):
        done = hooks.run(logged, Ping(1))
    assert CALLS == [Ping(1), Ping(1)] and list(done) == ["tests.core.test_hooks.takes_payload"]
    assert "TEST_LOGGED_STEPS: tests.core.test_hooks.fails failed" in caplog.text
    CALLS.clear()
    with pytest.raises(RuntimeError):
        hooks.run(strict, Ping(2))
    assert CALLS == [Ping(2)]


@pytest.mark.django_db
def test_after_commit_points_wait_for_the_commit_and_a_failure_spares_the_others(settings,
                                                                                 django_capture_on_commit_callbacks):
    point = hooks.declare("TEST_LATER_STEPS", phase=hooks.Phase.AFTER_COMMIT, payload=Ping, batch=True)
    settings.TEST_LATER_STEPS = ["tests.core.test_hooks.fails", "tests.core.test_hooks.takes_payload"]
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hooks.after_commit(point, [Ping(3)])
    assert CALLS == [] and len(callbacks) == 2
    with django_capture_on_commit_callbacks(execute=True):
        hooks.after_commit(point, [Ping(3)])
    assert CALLS == [[Ping(3)]]


def test_render_and_query_points(settings):
    panels = hooks.declare("TEST_PANELS", phase=hooks.Phase.RENDER, args=("request",))
    settings.TEST_PANELS = ["builtins.str", "tests.core.test_hooks.nothing"]
    assert hooks.render(panels, "<p>hi</p>") == ["<p>hi</p>"]          # an empty panel is left out
    one = hooks.declare("TEST_ONE", phase=hooks.Phase.QUERY, args=("x",), single=True, on_error="log")
    settings.TEST_ONE = ""
    assert hooks.one(one, 1, default=[]) == []
    settings.TEST_ONE = "tests.core.test_hooks.fails"
    assert hooks.one(one, 1) is None                                      # logged, left out


def nothing(request):
    return ""


def test_the_architecture_doc_shows_the_commands_map():
    out = io.StringIO()
    call_command("hooks", stdout=out)
    table = out.getvalue()
    assert table.startswith("| hook point |") and "`POST_COMPLETION_STEPS`" in table
    doc = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- hooks -->\n(.*?)<!-- /hooks -->", doc, re.S)
    assert found, "docs/architecture.md marks the generated table with <!-- hooks --> ... <!-- /hooks -->"
    assert found.group(1) == table, "docs/architecture.md: paste the output of `saksham hooks`"
