"""Emails go to the data dir's mail folder in every process (serve, worker, commands), not only under
``saksham demo``: the choice is a setting read from the environment when any process starts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SEND = ("import django; django.setup(); from django.conf import settings; from django.core.mail import send_mail; "
        "send_mail('Your code', 'Code 123456', 'noreply@example.in', ['asha@example.in']); "
        "print(settings.EMAIL_BACKEND)")
SRC = str(Path(__file__).resolve().parents[2] / "src")


def _run(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SAKSHAM_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "saksham.settings", "SAKSHAM_DATA_DIR": str(tmp_path / "data"),
                  "PYTHONPATH": SRC + os.pathsep + clean.get("PYTHONPATH", ""), **env})
    return subprocess.run([sys.executable, "-c", SEND], env=clean, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, check=True)


@pytest.mark.parametrize("extra", [{}, {"SAKSHAM_ENV": "development"}])
def test_a_process_without_mail_settings_writes_to_the_data_dirs_mail_folder(tmp_path, extra):
    out = _run(tmp_path, **extra)
    assert out.stdout.strip() == "django.core.mail.backends.filebased.EmailBackend"
    files = list((tmp_path / "data" / "mail").iterdir())
    assert len(files) == 1 and "Code 123456" in files[0].read_text()


def test_the_folder_and_the_backend_follow_the_environment(tmp_path):
    _run(tmp_path, EMAIL_FILE_PATH=str(tmp_path / "outbox"))
    assert len(list((tmp_path / "outbox").iterdir())) == 1
    out = _run(tmp_path, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert "Code 123456" in out.stdout and not (tmp_path / "data" / "mail").exists()
    out = _run(tmp_path, SAKSHAM_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="learn.example.in",
               CSRF_TRUSTED_ORIGINS="https://learn.example.in")
    assert out.stdout.strip().endswith("django.core.mail.backends.console.EmailBackend")
