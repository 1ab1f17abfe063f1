"""Post-completion steps for the tests (settings.POST_COMPLETION_STEPS points here): each gets a Completion."""

CALLS: list = []
CRASHED = False


def record(completion) -> None:
    CALLS.append(completion.enrolment_id)


def crash_once(completion) -> None:
    global CRASHED
    if not CRASHED:
        CRASHED = True
        raise RuntimeError("the worker died halfway")
