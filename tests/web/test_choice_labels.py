"""Choices of the apps' models are shown on pages by their labels, which go through gettext."""


def test_every_choice_label_shown_on_pages_is_marked_for_translation():
    """A label of a model's choices goes through gettext, so pages show it in the person's language."""
    from django.apps import apps
    from django.db import models
    from django.utils.functional import Promise

    plain = []
    for app in ("core", "orgs", "people", "catalog", "learning", "credentials", "competencies", "campaigns",
                "insights", "feedback"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.Field) and field.choices:
                    plain += [f"{model.__name__}.{field.name}={value}" for value, label in field.flatchoices
                              if not isinstance(label, Promise)]
    assert not plain, plain
