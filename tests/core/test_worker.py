"""The worker logs a line per task only when asked (-v 2): periodic tasks run every second."""

import logging

from saksham.core.management.commands.worker import _Worker


def test_task_lines_only_at_verbosity_two():
    w = _Worker()
    w.configure_logging(1)
    assert logging.getLogger("django_tasks").level == logging.WARNING
    assert logging.getLogger("django_tasks_db").level == logging.WARNING
    w.configure_logging(2)
    assert logging.getLogger("django_tasks").level == logging.DEBUG
    w.configure_logging(1)
