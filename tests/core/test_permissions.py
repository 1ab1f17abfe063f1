"""A refusal reads as a sentence in the person's language; the rule's name stays for scripts in ``details``."""

import pytest
from django.utils import translation

from saksham.core import permissions
from saksham.core.errors import PermissionDenied


def test_a_refusal_is_a_sentence_with_the_rule_in_the_details(people):
    with pytest.raises(PermissionDenied) as exc:
        permissions.require(people["bihar_learner"], "plan.manage", None)
    assert exc.value.message == "You are not allowed to do this here."
    assert exc.value.code == "forbidden" and exc.value.details == {"action": "plan.manage"}
    with translation.override("hi"), pytest.raises(PermissionDenied) as exc:
        permissions.require(people["bihar_learner"], "plan.manage", None)
    assert exc.value.message == "आपको यहाँ यह करने की अनुमति नहीं है।"
