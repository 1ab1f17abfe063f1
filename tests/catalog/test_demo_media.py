"""The demo catalogue's video and document items play the demo's own media, copied into the media storage and
served by the platform (content type, byte ranges), never from an outside host; nothing else of the media folder
is reachable that way."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from saksham.catalog import services
from saksham.catalog.demo import DEMO_DIR
from saksham.catalog.models import ContentItem, ItemKind
from saksham.core.errors import ValidationFailed

TYPES = {ItemKind.VIDEO: "video/webm", ItemKind.DOCUMENT: "application/pdf"}


@pytest.fixture
def deployment(db):
    from saksham.web import demo

    demo.build(learners=10)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_demo_video_and_document_answers_from_the_platform(deployment):
    items = ContentItem.objects.filter(kind__in=list(TYPES), module__version__course__live_version__isnull=False)
    assert items.count() >= 60
    assert not items.exclude(url="").exists(), "a demo item points at an outside host"
    client = Client()
    for name in sorted(set(items.values_list("file", flat=True))):
        kind = items.filter(file=name).values_list("kind", flat=True).first()
        url = f"{settings.MEDIA_URL}{name}"
        r = client.get(url)
        assert r.status_code == 200, url
        assert r["Content-Type"] == TYPES[kind], (url, r["Content-Type"])
        body = _body(r)
        assert body and body == (DEMO_DIR / "media" / Path(name).name).read_bytes()
        assert r["Accept-Ranges"] == "bytes" and r["X-Frame-Options"] == "SAMEORIGIN"
        # A byte range (how a browser seeks in a video): 206 with the bytes asked for.
        part = client.get(url, headers={"Range": "bytes=4-11"})
        assert part.status_code == 206 and part.content == body[4:12]
        assert part["Content-Range"] == f"bytes 4-11/{len(body)}"
        assert client.get(url, headers={"Range": f"bytes={len(body)}-"}).status_code == 416
    assert (DEMO_DIR / "media" / "overview.webm").stat().st_size < 400_000
    assert (DEMO_DIR / "media" / "guidelines.pdf").stat().st_size < 150_000
    pdf = (DEMO_DIR / "media" / "guidelines.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 3


def test_the_player_shows_the_demo_media(deployment):
    from saksham.people.models import User

    client = Client()
    assert client.login(email=User.objects.get(email="learner@demo.gov.in").email, password="Saksham-demo-2026")
    video = ContentItem.objects.filter(kind=ItemKind.VIDEO, module__version__course__live_version__isnull=False)
    course = video.first().module.version.course
    client.post(f"/learn/courses/{course.public_id}/enrol")
    html = client.get(f"/learn/courses/{course.public_id}?item={video.filter(module__version=course.live_version).first().key}").content.decode()
    assert f'src="{settings.MEDIA_URL}catalog/demo/overview.webm"' in html


def test_only_the_catalogues_files_are_served(db, tmp_path):
    root = Path(settings.MEDIA_ROOT)
    (root / "imports").mkdir(parents=True)
    (root / "imports" / "people.csv").write_text("email\nanita@example.org\n")
    (root / "catalog").mkdir(parents=True)
    client = Client()
    assert client.get("/media/imports/people.csv").status_code == 404
    assert client.get("/media/catalog/../imports/people.csv").status_code == 404
    assert client.get("/media/catalog/%2e%2e/imports/people.csv").status_code == 404
    assert client.get("/media/catalog/missing.webm").status_code == 404


def test_an_item_may_point_at_a_file_already_stored_but_not_at_a_missing_one(db, build):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("catalog/demo/clip.webm", ContentFile(b"\x1a\x45\xdf\xa3" + b"\0" * 64))
    v = build(title="Shared media", modules=0)
    creator = v.created_by
    m = services.module_add(actor=creator, version=v, title="One")
    item = services.item_add(actor=creator, module=m, kind=ItemKind.VIDEO, stored=name, data={"title": "Clip"})
    assert item.file.name == name and default_storage.exists(name)
    with pytest.raises(ValidationFailed):
        services.item_add(actor=creator, module=m, kind=ItemKind.VIDEO, stored="catalog/demo/none.webm",
                          data={"title": "Missing"})
    with pytest.raises(ValidationFailed):
        services.item_add(actor=creator, module=m, kind=ItemKind.PAGE, stored=name, data={"title": "P", "body": "x"})
