"""The pages shown for "not found", "not allowed" and a server error are the platform's own pages in the person's
language, with the menu back, not the framework's bare defaults."""

from tests.conftest import PASSWORD


def test_not_found_and_not_allowed_are_pages_of_the_platform(client, people):
    r = client.get("/courses/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404
    page = r.content.decode()
    assert "Page not found" in page and 'href="/courses"' in page and "<nav" in page
    assert client.login(email=people["bihar_learner"].email, password=PASSWORD)
    r = client.get("/people")
    assert r.status_code == 403
    page = r.content.decode()
    assert "Not allowed" in page and "ask your organisation" in page and 'href="/learn"' in page


def test_a_server_error_is_a_plain_page_that_needs_no_database():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert "Something went wrong" in html and "<nav" not in html

