"""Work for the worker processes of tests/core/test_stalled_work.py, written into their database by a separate
process (``python -c "import django; django.setup(); from tests.core.stall_setup import ...; ..."``)."""

import datetime as dt
import io
import uuid

from django.utils import timezone

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import services as learning
from saksham.learning import structure
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.services import org_create, profile_apply
from saksham.people import importing, tasks
from saksham.people.models import Role, Status, User
from saksham.people.services import role_grant


def _person(email: str, org: Org, role=None) -> User:
    user = User.objects.create(email=email, full_name=email.split("@")[0].title(), org=org, status=Status.ACTIVE,
                               is_active=True, password="!")
    if role:
        role_grant(actor=None, person=user, org=org, role=role)
    return user


def import_queue(rows: int) -> str:
    """A queued import of ``rows`` new people into Bihar; prints nothing, returns the job's id."""
    profile_apply()
    bihar = Org.objects.get(code="IN-BR")
    admin = _person("admin@bihar.gov.in", bihar, Role.STATE_ADMIN)
    lines = ["full_name,email"] + [f"Person {i},p{i}@bihar.gov.in" for i in range(rows)]
    job = importing.job_create(actor=admin, org=bihar, upload=io.BytesIO(("\n".join(lines) + "\n").encode()),
                               original_name="people.csv", send_emails=False)
    tasks.import_people.enqueue(str(job.public_id))
    return str(job.public_id)


def completions(learners: int) -> int:
    """A published course that ``learners`` people of Bihar complete: each completion queues its post-completion
    pipeline (the certificate first). Returns how many completed."""
    profile_apply()
    bihar = Org.objects.get(code="IN-BR")
    org = org_create(code="ISTM", name="Institute of Secretariat Training and Management",
                     kind=OrgKind.ORGANISATION, parent=bihar)
    provider = catalog.provider_register(actor=None, org=org)
    creator = _person("kavita@istm.gov.in", org, Role.CONTENT_CREATOR)
    reviewer = _person("harish@istm.gov.in", org, Role.CONTENT_REVIEWER)
    publisher = _person("anil@istm.gov.in", org, Role.PUBLISHER)
    v = catalog.course_create(actor=creator, provider=provider, data={
        "title": "Right to Information", "summary": "The act and its use.", "description": "<p>RTI.</p>",
        "language": "en", "duration_minutes": 30, "objectives": ["Explain the act"], "keywords": ["rti"]})
    m = catalog.module_add(actor=creator, version=v, title="Module 1")
    catalog.item_add(actor=creator, module=m, kind=ItemKind.PAGE, data={"title": "Reading", "body": "<p>Read.</p>"})
    catalog.version_submit(actor=creator, version=v)
    catalog.version_review(actor=reviewer, version=v, approve=True)
    catalog.version_publish(actor=publisher, version=v)
    v.refresh_from_db()
    course = v.course
    items = list(structure.version_items(course.live_version_id).values())
    at = timezone.now() - dt.timedelta(minutes=5)
    n = 0
    for i in range(learners):
        learner = _person(f"learner{i}@bihar.gov.in", bihar)
        e = learning.enrolment_create(learner=learner, course=course)
        learning.progress_record(learner=learner, events=[
            {"enrolment": str(e.public_id), "item": str(item.key), "percent": 100, "seconds": 30,
             "at": (at + dt.timedelta(seconds=k * 40)).isoformat(), "event_id": uuid.uuid4().hex}
            for k, item in enumerate(items)])
        n += 1
    return n
