"""What learning needs to know of a course version's structure: its items by key, which are required, which
are assessments, how far a position may go. A live version never changes, so the answer is cached per
process (no shared state: a miss just reads the catalogue again)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from saksham.catalog.models import ContentItem, CourseKind, CourseLink, CourseVersion, ItemKind

_CACHE: dict[int, dict[UUID, ItemInfo]] = {}
_PROGRAMS: dict[int, tuple[int, ...] | None] = {}
_CACHE_MAX = 4096


@dataclass(frozen=True)
class ItemInfo:
    key: UUID
    kind: str
    required: bool
    max_position: float | None      # seconds of a video, pages of a document, 100 (% scrolled) of a page
    title: str
    settings: dict

    @property
    def is_assessment(self) -> bool:
        return self.kind == ItemKind.QUIZ


def _number(value) -> float | None:
    """A positive number from an item's settings (written by creators: anything else is ignored)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None


def _max_position(item: ContentItem) -> float | None:
    settings = item.settings if isinstance(item.settings, dict) else {}
    if item.kind == ItemKind.VIDEO:
        seconds = _number(settings.get("duration_s")) or item.duration_minutes * 60
        return float(seconds) + 5.0 if seconds else None   # players report a little past the end
    if item.kind == ItemKind.DOCUMENT:
        return _number(settings.get("pages"))
    if item.kind == ItemKind.PAGE:
        return 100.0
    return 0.0


def version_items(version_id: int) -> dict[UUID, ItemInfo]:
    """{item key: ItemInfo} of a version, in course order."""
    items = _CACHE.get(version_id)
    if items is None:
        rows = (ContentItem.objects.filter(module__version_id=version_id)
                .order_by("module__position", "position"))
        items = {}
        for i in rows:
            conf = i.settings if isinstance(i.settings, dict) else {}
            items[i.key] = ItemInfo(key=i.key, kind=i.kind, required=conf.get("optional") is not True,
                                    max_position=_max_position(i), title=i.title, settings=conf)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[version_id] = items
    return items


def required_keys(version_id: int) -> list[UUID]:
    return [k for k, i in version_items(version_id).items() if i.required]


def program_courses(version_id: int) -> tuple[int, ...] | None:
    """The ids of the courses a program's version links, in order (live or not); None when the version is not
    a program's. A published version's links never change, so the answer is cached like its items."""
    if version_id in _PROGRAMS:
        return _PROGRAMS[version_id]

    kind = CourseVersion.objects.filter(pk=version_id).values_list("course__kind", flat=True).first()
    courses = None
    if kind == CourseKind.PROGRAM:
        courses = tuple(CourseLink.objects.filter(version_id=version_id).order_by("position")
                        .values_list("course_id", flat=True))
    if len(_PROGRAMS) >= _CACHE_MAX:
        _PROGRAMS.clear()
    _PROGRAMS[version_id] = courses
    return courses


def clear_cache() -> None:
    _CACHE.clear()
    _PROGRAMS.clear()
