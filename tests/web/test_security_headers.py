"""Every page carries a strict Content-Security-Policy and a Permissions-Policy; production refuses to start without
its own host names and answers `saksham check --deploy` without a warning."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from saksham.core.headers import policy_value
from tests.conftest import PASSWORD

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.parametrize("path", ["/", "/courses", "/login", "/register", "/verify", "/numbers"])
def test_every_page_has_a_strict_policy(client, country, path):
    r = client.get(path)
    assert r.status_code == 200, path
    csp = _directives(r)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in r["Content-Security-Policy"] and "'unsafe-eval'" not in r["Content-Security-Policy"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    # The theme's <style> carries this response's nonce; no other inline style or script is on the page.
    nonce = next(s for s in csp["style-src"] if s.startswith("'nonce-"))[7:-1]
    page = r.content.decode()
    assert re.findall(r"<style[^>]*>", page) == [f'<style nonce="{nonce}">']
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", page), path
    assert not re.search(r"\son[a-z]+=", page) and ' style="' not in page
    assert "geolocation=()" in r["Permissions-Policy"] and "microphone=()" in r["Permissions-Policy"]
    assert r["X-Frame-Options"] == "DENY"


def test_a_nonce_is_new_on_every_response(client, country):
    first, second = (_directives(client.get("/login"))["style-src"] for _ in range(2))
    assert first != second


def test_the_verify_page_may_use_the_camera_and_nothing_else_more(client, country):
    r = client.get("/verify")
    assert "camera=(self)" in r["Permissions-Policy"] and "microphone=()" in r["Permissions-Policy"]
    assert "camera=()" in client.get("/courses")["Permissions-Policy"]


def test_a_course_document_may_be_framed_by_the_site_only(client, settings, tmp_path):
    (settings.MEDIA_ROOT / "catalog").mkdir(parents=True)
    (settings.MEDIA_ROOT / "catalog" / "a.pdf").write_bytes(b"%PDF-1.4 x")
    r = client.get("/media/catalog/a.pdf")
    assert r.status_code == 200
    assert _directives(r)["frame-ancestors"] == ["'self'"] and r["X-Frame-Options"] == "SAMEORIGIN"


def test_the_pages_signed_in_carry_the_policy_too(client, people):
    assert client.login(email=people["bihar_admin"].email, password=PASSWORD)
    for path in ("/people", "/insights/", "/learn", "/studio"):
        r = client.get(path)
        assert r.status_code in (200, 302, 403), path
        assert "script-src 'self'" in r["Content-Security-Policy"], path


def test_the_header_syntax():
    assert policy_value({"camera": [], "fullscreen": ["self"], "usb": ["self", "https://a.example"]}) == \
        'camera=(), fullscreen=(self), usb=(self "https://a.example")'


# --- production settings, each in a process of its own (settings are read once, at start-up) -----------------------

PRODUCTION = {"SAKSHAM_ENV": "production", "SECRET_KEY": "k7#Qm2!vR9$xL4@pZ8&nW3^tY6*bH1%cJ5-fD0+gS" * 2,
              "ALLOWED_HOSTS": "learn.example.gov.in", "CSRF_TRUSTED_ORIGINS": "https://learn.example.gov.in"}


def _saksham(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("SAKSHAM_", "ALLOWED_HOSTS", "CSRF_", "SECRET_KEY", "DJANGO_"))}
    clean.update({"SAKSHAM_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": SRC, **env})
    clean = {k: v for k, v in clean.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "saksham.cli", *args], env=clean, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_check_deploy_is_clean_in_production(tmp_path):
    out = _saksham(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout and "WARNINGS" not in out.stderr


def test_production_settings_are_the_safe_ones(tmp_path):
    names = ["DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
             "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
             "ALLOWED_HOSTS"]
    code = ("import django; django.setup(); from django.conf import settings as s; "
            f"print('|'.join(repr(getattr(s, n)) for n in {names!r}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAKSHAM_", "ALLOWED_HOSTS", "CSRF_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "saksham.settings", "SAKSHAM_DATA_DIR": str(tmp_path), "PYTHONPATH": SRC})

    def run(**extra):
        out = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True,
                             timeout=60, check=True)
        return dict(zip(names, out.stdout.strip().split("|"), strict=True))

    assert run(**PRODUCTION) == {
        "DEBUG": "False", "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "True",
        "SECURE_HSTS_PRELOAD": "True", "SECURE_SSL_REDIRECT": "True", "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True", "SECURE_PROXY_SSL_HEADER": "None", "ALLOWED_HOSTS": "['learn.example.gov.in']"}
    behind_proxy = run(**PRODUCTION, SAKSHAM_PROXY_SSL_HEADER="X-Forwarded-Proto", SAKSHAM_HSTS_PRELOAD="0")
    assert behind_proxy["SECURE_PROXY_SSL_HEADER"] == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert behind_proxy["SECURE_HSTS_PRELOAD"] == "False"
    # Development stays as it was: any host, no HTTPS redirect, cookies not marked secure.
    assert run(SAKSHAM_ENV="development") == {
        "DEBUG": "True", "SECURE_HSTS_SECONDS": "0", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "False",
        "SECURE_HSTS_PRELOAD": "False", "SECURE_SSL_REDIRECT": "False", "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False", "SECURE_PROXY_SSL_HEADER": "None", "ALLOWED_HOSTS": "['*']"}


def test_a_setting_turned_off_on_purpose_is_not_reported_again(tmp_path):
    out = _saksham(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                   **PRODUCTION, SAKSHAM_SSL_REDIRECT="0", SAKSHAM_HSTS_PRELOAD="0")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(("name", "value"), [("ALLOWED_HOSTS", None), ("ALLOWED_HOSTS", "*"),
                                             ("ALLOWED_HOSTS", "learn.example.gov.in,*"),
                                             ("CSRF_TRUSTED_ORIGINS", None), ("CSRF_TRUSTED_ORIGINS", "https://*")])
def test_production_refuses_to_start_without_its_own_hosts(tmp_path, name, value):
    out = _saksham(tmp_path, "check", **{**PRODUCTION, name: value})
    assert out.returncode != 0
    message = out.stderr.strip().splitlines()
    assert len(message) == 1 and name in message[0] and "SAKSHAM_ENV=production" in message[0], out.stderr
    assert "Traceback" not in out.stderr
