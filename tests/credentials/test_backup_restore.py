"""`saksham backup` -> `saksham restore` into an empty deployment -> verified (counts and a certificate), on the
database of the run (SQLite, or a fresh PostgreSQL database when DATABASE_URL names one); and the archives a
restore refuses before it writes anything."""

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from saksham.credentials import services
from saksham.credentials.models import Certificate
from saksham.people.models import User

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def deployment(completed, settings):
    """A deployment with people, a signed certificate and an upload."""
    services.certificate_issue_for_enrolment(enrolment=completed)
    media = Path(settings.MEDIA_ROOT) / "covers"
    media.mkdir(parents=True, exist_ok=True)
    (media / "cover.png").write_bytes(b"\x89PNG not really" * 100)
    return completed


def _archive(tmp_path) -> Path:
    out = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(out))
    return out


def _saksham(*args, data_dir: Path, database_url: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SAKSHAM_CREDENTIALS_KEY")}
    env.update(PYTHONPATH=str(SRC), SAKSHAM_DATA_DIR=str(data_dir), DATABASE_URL=database_url,
               SITE_URL=settings.SITE_URL, DJANGO_SETTINGS_MODULE="saksham.settings")
    return subprocess.run([sys.executable, "-m", "saksham.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of an empty database of the run's kind (a new SQLite file, or a new PostgreSQL database)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'saksham.sqlite3'}"
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"saksham_restore_{os.getpid()}"
    params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None,
              "password": db.get("PASSWORD") or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = f"{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}@" if db.get("USER") else ""
    yield f"postgres://{user}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_deployment_verifies(deployment, tmp_path, fresh_database):
    archive = _archive(tmp_path)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    database = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    assert {database, "media/covers/cover.png", "secrets/secret_key", "secrets/credentials_master_key",
            "manifest.json"} <= set(names)
    assert manifest["backend"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert manifest["counts"]["people_user"] == User.objects.count() > 0
    assert manifest["counts"]["credentials_certificate"] == Certificate.objects.count() == 1
    assert set(manifest["sha256"]) == set(names) - {"manifest.json"}

    target = tmp_path / "restored"
    done = _saksham("restore", str(archive), data_dir=target, database_url=fresh_database)
    assert done.returncode == 0, done.stderr
    cert = Certificate.objects.get()
    assert f"certificate {cert.code}: valid" in done.stdout and "restore verified" in done.stdout
    assert "equal to the manifest" in done.stdout
    assert (target / "media" / "covers" / "cover.png").read_bytes() == b"\x89PNG not really" * 100
    assert (target / "secret_key").read_text() == settings.SECRET_KEY
    assert (target / "credentials_master_key").read_text() == (Path(settings.DATA_DIR) /
                                                                "credentials_master_key").read_text()

    again = _saksham("restore", str(archive), data_dir=target, database_url=fresh_database)
    assert again.returncode != 0 and "the database is not empty" in again.stderr
    forced = _saksham("restore", str(archive), "--force", data_dir=target, database_url=fresh_database)
    assert forced.returncode == 0 and "restore verified" in forced.stdout, forced.stderr
    assert list(tmp_path.glob("restored/media.before-restore-*"))        # the replaced uploads are kept aside


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with its members passed through ``change(name, data) -> data | None``."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_naming_the_member_and_nothing_is_written(deployment, tmp_path):
    archive = _archive(tmp_path)
    people = User.objects.count()

    altered = _rewrite(archive, tmp_path / "altered.tar.gz",
                       lambda name, data: b"swapped" if name == "media/covers/cover.png" else data)
    with pytest.raises(CommandError, match="member media/covers/cover.png: checksum does not match"):
        call_command("restore", str(altered), "--force")

    added = tmp_path / "added.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(added, "w:gz") as dst:
        for member in src:
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/extra.html")
        info.size = 4
        dst.addfile(info, io.BytesIO(b"<p/>"))
    with pytest.raises(CommandError, match="member media/extra.html: not listed in the manifest"):
        call_command("restore", str(added), "--force")

    missing = _rewrite(archive, tmp_path / "missing.tar.gz",
                       lambda name, data: None if name == "secrets/secret_key" else data)
    with pytest.raises(CommandError, match="member secrets/secret_key: listed in the manifest but missing"):
        call_command("restore", str(missing), "--force")

    raw = gzip.decompress(archive.read_bytes())
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    with pytest.raises(CommandError, match="is corrupt at member"):
        call_command("restore", str(truncated), "--force")

    not_gzip = tmp_path / "garbage.tar.gz"
    not_gzip.write_bytes(os.urandom(2000))
    with pytest.raises(CommandError, match="is corrupt at the archive"):
        call_command("restore", str(not_gzip))

    with pytest.raises(CommandError, match="the database is not empty"):
        call_command("restore", str(archive))
    assert User.objects.count() == people and (Path(settings.MEDIA_ROOT) / "covers" / "cover.png").exists()
