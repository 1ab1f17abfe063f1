"""Course covers: an uploaded one is shown as an image with the title as its text; without one, a cover is drawn
from the title in the course's own script, readable, named for screen readers, the same every time."""

import re

from saksham.catalog.covers import cover_html, generated_cover
from saksham.core.theme import WHITE, contrast


def test_a_cover_is_drawn_from_the_title_in_its_script_with_white_text_on_a_dark_enough_ground():
    svg = cover_html(course_id="0190a1b2-0000-7000-8000-00000000abcd", title="સ્વચ્છ ભારત મિશન", language="gu")
    assert svg.startswith('<svg class="cover"') and 'role="img"' in svg
    assert 'aria-label="સ્વચ્છ ભારત મિશન"' in svg and 'lang="gu"' in svg and ">સ્વચ્છ ભારત મિશન</tspan>" in svg
    ground = re.search(r'<rect width="320" height="180" fill="(#[0-9a-f]{6})"', svg).group(1)
    assert contrast(WHITE, ground) >= 5
    assert svg == cover_html(course_id="0190a1b2-0000-7000-8000-00000000abcd", title="સ્વચ્છ ભારત મિશન",
                             language="gu")


def test_a_long_title_is_wrapped_into_at_most_three_lines_and_markup_in_it_stays_text():
    title = "Right to Information <b>Act</b> 2005: who can ask, what to tell, time limits, exemptions and appeals " * 2
    svg = generated_cover("k1", title, "en", "#0b5394")
    assert svg.count("<tspan") == 3 and "…" in svg and "<b>" not in svg and "&lt;b&gt;" in svg


def test_an_arabic_script_title_is_drawn_right_to_left():
    svg = generated_cover("k2", "سرکاری دفتر کا طریقہ کار", "ur", "#0b5394")
    assert 'direction="rtl"' in svg and 'text-anchor="end"' in svg


def test_an_uploaded_cover_is_an_image_named_by_the_title():
    html = cover_html(course_id="x", title='Office "procedure"', language="en", url="/media/catalog/thumbs/a.png")
    assert html.startswith('<img class="cover" src="/media/catalog/thumbs/a.png" alt="Office &quot;procedure&quot;"')


def test_search_cards_show_the_uploaded_cover_or_a_drawn_one(client, build, publish, staff):
    from django.core.files.base import ContentFile

    version = publish(build(title="Drawn nowhere"))
    version.thumbnail.save("cover.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    publish(build(title="Drawn here"))
    page = client.get("/courses").content.decode()
    assert f'src="{version.thumbnail.url}" alt="Drawn nowhere"' in page
    assert 'aria-label="Drawn here"' in page
