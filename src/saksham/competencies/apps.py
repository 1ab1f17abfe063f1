from django.apps import AppConfig


class CompetenciesConfig(AppConfig):
    name = "saksham.competencies"
    label = "competencies"
    verbose_name = "Competencies"

    def ready(self) -> None:
        from saksham.catalog.queries import competency_labeller
        from saksham.competencies import queries, rules  # noqa: F401  (registers the permission rules)

        # The catalogue stores tags by code; the reviewer's screen shows their names through this.
        competency_labeller(queries.competency_labels)
