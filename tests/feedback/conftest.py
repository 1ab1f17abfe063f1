from tests.learning.conftest import (  # noqa: F401  (the learning fixtures: providers, staff, published courses)
    _fresh_structure_cache,
    build,
    course,
    learner,
    other_provider,
    provider,
    publish,
    staff,
)
