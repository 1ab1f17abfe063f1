"""The theme's colours come from the deployment profile and are readable: text on them, and they as text, reach
4.5:1 (WCAG 2.1 AA); the pages load the vendored design system; static files are served compressed."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

from saksham.core.theme import PAGE, WHITE, contrast, cover_palette, on, theme


def test_the_profile_colours_become_the_theme_and_a_light_one_is_darkened_until_it_is_readable():
    t = theme("#0b5394", "#f39c12")
    assert t["primary"] == "#0b5394" and t["primary_rgb"] == "11, 83, 148"     # readable as it is: unchanged
    light = theme("#ffcc00", "#00ff00")                                        # white on yellow is 1.6:1
    assert contrast(WHITE, "#ffcc00") < 2
    for key in ("primary", "primary_hover"):
        assert contrast(WHITE, light[key]) >= 4.5 and contrast(PAGE, light[key]) >= 4.5
    assert contrast(light["primary_on_subtle"], light["primary_subtle"]) >= 4.5
    assert contrast(light["accent_text"], WHITE) >= 4.5
    assert contrast(on(light["accent"]), light["accent"]) >= 4.5
    assert theme("not a colour", "")["primary"] == "#0b5394"


def test_every_generated_cover_background_carries_white_text():
    for primary in ("#0b5394", "#ffcc00", "#e0f7fa"):
        palette = cover_palette(primary)
        assert len(set(palette)) == 8
        assert all(contrast(WHITE, c) >= 5 for c in palette)


def test_pages_load_bootstrap_and_the_theme_from_the_profile(client, orgs, settings):
    settings.PROFILE = {**settings.PROFILE, "branding": {**settings.PROFILE.get("branding", {}),
                                                         "primary_color": "#ffcc00"}}
    page = client.get("/").content.decode()
    assert 'href="/static/web/vendor/bootstrap/bootstrap.min.css"' in page
    assert 'src="/static/web/vendor/bootstrap/bootstrap.bundle.min.js"' in page
    primary = re.search(r"--primary:(#[0-9a-f]{6})", page).group(1)
    assert primary != "#ffcc00" and contrast(WHITE, primary) >= 4.5
    assert '<a class="skip-link visually-hidden-focusable" href="#main">' in page and '<main id="main"' in page
    for name in ("bootstrap.min.css", "bootstrap.rtl.min.css", "bootstrap.bundle.min.js", "LICENSE"):
        assert finders.find(f"web/vendor/bootstrap/{name}"), name


def test_the_admin_links_sit_in_one_menu_and_the_week_banner_only_where_it_belongs(client, people):
    from tests.conftest import PASSWORD

    assert client.login(email=people["platform"].email, password=PASSWORD)
    page = client.get("/courses").content.decode()
    menu = page[page.index('id="admin-menu"'):page.index("</ul>", page.index('id="admin-menu"'))]
    for href in ("/insights/", "/people", "/people/imports", "/learn/plans", "/orgs", "/competencies/frameworks"):
        assert f'href="{href}"' in menu, href
    assert 'data-bs-toggle="collapse"' in page and 'aria-controls="site-nav"' in page


def test_static_files_are_served_compressed_as_the_browser_accepts(settings, tmp_path, db):
    from whitenoise.compress import Compressor

    source = Path(finders.find("web/vendor/bootstrap/bootstrap.min.css"))
    folder = tmp_path / "static" / "web" / "vendor" / "bootstrap"
    folder.mkdir(parents=True)
    target = folder / "bootstrap.min.css"
    target.write_bytes(source.read_bytes())
    list(Compressor(quiet=True).compress(str(target)))
    settings.STATIC_ROOT = tmp_path / "static"
    client = Client()            # a new handler: WhiteNoise reads the folder above
    raw = source.stat().st_size
    for encoding, accept in (("br", "br, gzip"), ("gzip", "gzip")):
        r = client.get("/static/web/vendor/bootstrap/bootstrap.min.css", HTTP_ACCEPT_ENCODING=accept)
        assert r.status_code == 200 and r.get("Content-Encoding") == encoding, (r.status_code, dict(r.headers))
        assert int(r["Content-Length"]) < raw / 5
        r.close()
    r = client.get("/static/web/vendor/bootstrap/bootstrap.min.css")
    assert "Content-Encoding" not in r and int(r["Content-Length"]) == raw
    r.close()
