"""Post-completion steps for the tests (settings.POST_COMPLETION_STEPS points here)."""

CALLS: list = []
CRASHED = False


def record(enrolment) -> None:
    CALLS.append(enrolment.pk)


def crash_once(enrolment) -> None:
    global CRASHED
    if not CRASHED:
        CRASHED = True
        raise RuntimeError("the worker died halfway")
