"""The hook points the catalogue calls: a version went live, a course retired, the panels of its pages, the
pre-review checklist and the competency picker."""

from __future__ import annotations

from dataclasses import dataclass

from saksham.core.hooks import Phase, declare


@dataclass(frozen=True)
class VersionPublished:
    """A course version went live (``previous_version_id`` None: its first publication)."""

    course_id: int
    version_id: int
    previous_version_id: int | None


@dataclass(frozen=True)
class CourseRetired:
    course_id: int


VERSION_PUBLISHED_STEPS = declare("VERSION_PUBLISHED_STEPS", phase=Phase.AFTER_COMMIT, payload=VersionPublished)
COURSE_RETIRED_STEPS = declare("COURSE_RETIRED_STEPS", phase=Phase.AFTER_COMMIT, payload=CourseRetired)
COURSE_PAGE_PANELS = declare("COURSE_PAGE_PANELS", phase=Phase.RENDER, args=("request", "course"), returns="HTML")
STUDIO_ITEM_PANELS = declare("STUDIO_ITEM_PANELS", phase=Phase.RENDER, args=("request", "version", "item", "editable"),
                             returns="HTML")
VERSION_PROBLEM_CHECKS = declare("VERSION_PROBLEM_CHECKS", phase=Phase.QUERY, args=("version",),
                                 returns="{field: sentence}, merged")
COMPETENCY_CHOICES = declare("COMPETENCY_CHOICES", phase=Phase.QUERY, args=("language",), single=True,
                             returns="frameworks with their competencies")
