"""Backup and restore of a whole deployment: one tar.gz holding a consistent snapshot of the database, the
uploads (``MEDIA_ROOT``), the secret key and the credentials master key file, with a manifest.

The archive's members:

| member | what |
|---|---|
| `manifest.json` | format, version, created, backend, row counts of every project table, sha256 of every other member |
| `database.sqlite3` / `database.pgdump` | SQLite's online backup (a consistent copy while the platform runs) or `pg_dump -Fc` |
| `media/...` | the uploads, as stored |
| `secrets/secret_key` | Django's secret key (sessions, signed links) |
| `secrets/credentials_master_key` | the key file that decrypts the signing keys (when the key is a file) |

The signing keys themselves are rows of the database, still encrypted as stored. On PostgreSQL the counts are
read in the very snapshot pg_dump dumps (an exported snapshot), on SQLite from the copy, so they describe the
archive exactly. A restore unpacks into a staging folder, checks every member against the manifest before it
writes anything, refuses a database or media folder that is not empty unless forced, restores, then counts the
restored tables against the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SECRET_MEMBER = "secrets/secret_key"
MASTER_KEY_MEMBER = "secrets/credentials_master_key"
MASTER_KEY_ENV = "SAKSHAM_CREDENTIALS_KEY"

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why (naming the member at fault)."""


@dataclass
class Restored:
    manifest: dict
    counts: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def backend() -> str:
    return "sqlite" if connection.vendor == "sqlite" else "postgresql"


def project_tables() -> list[str]:
    """Every table of the project's own models (and Django's users of them: sessions, migrations are left out)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and model.__module__.startswith("saksham."):
            tables.add(meta.db_table)
    return sorted(tables)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _count(cursor, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _master_key_file() -> Path:
    return Path(getattr(settings, "CREDENTIALS_MASTER_KEY_FILE", None) or Path(settings.DATA_DIR) / "credentials_master_key")


def _pg_args(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(f"{cmd[0]} is not installed (needed for {what})") from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.stdout.strip()}")


def _dump_database(folder: Path, tables: list[str]) -> tuple[str, dict[str, int]]:
    """The database into ``folder``: (member name, row counts of the snapshot)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = folder / SQLITE_MEMBER
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            counts = _count(copy.cursor(), tables, _quote)
        finally:
            copy.close()
        return SQLITE_MEMBER, counts
    if connection.vendor != "postgresql":
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}")
    db = settings.DATABASES["default"]
    args, env = _pg_args(db)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", *args,
                  "-f", str(folder / PG_MEMBER), str(db["NAME"])], env, "pg_dump")
            counts = _count(cursor, tables, connection.ops.quote_name)
    return PG_MEMBER, counts


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup(output: Path, *, say: Say = lambda text: None, progress=None) -> dict:
    """Write the archive to ``output`` (through a temporary file beside it, renamed at the end); return its
    manifest. ``progress(done, total)`` is called as members are written."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    tables = project_tables()
    with tempfile.TemporaryDirectory(prefix="saksham-backup-") as tmp:
        folder = Path(tmp)
        say(f"database ({backend()}): taking a snapshot")
        db_member, counts = _dump_database(folder, tables)
        members: list[tuple[str, Path]] = [(db_member, folder / db_member)]
        media_root = Path(settings.MEDIA_ROOT)
        members += [("media/" + p.relative_to(media_root).as_posix(), p) for p in _media_files()]
        (folder / "secret_key").write_text(settings.SECRET_KEY)
        members.append((SECRET_MEMBER, folder / "secret_key"))
        master = "environment" if os.environ.get(MASTER_KEY_ENV) else "absent"
        if master == "absent" and _master_key_file().is_file():
            members.append((MASTER_KEY_MEMBER, _master_key_file()))
            master = "file"
        say(f"{len(members)} members: the database, {len(members) - 2 - (master == 'file')} uploads, the secrets")
        checksums = {}
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            for done, (name, path) in enumerate(members, start=1):
                checksums[name] = _sha256(path)
                info = tar.gettarinfo(str(path), arcname=name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600 if name.startswith("secrets/") else 0o644
                with open(path, "rb") as fh:
                    tar.addfile(info, fh)
                if progress:
                    progress(done, len(members))
            manifest = {
                "format": FORMAT,
                "version": metadata.version("saksham"),
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "backend": backend(),
                "database": db_member,
                "credentials_master_key": master,
                "counts": counts,
                "sha256": checksums,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o644
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, output)
    return manifest


# --- restore ------------------------------------------------------------------------------------------------

def _unpack(archive: Path, staging: Path) -> dict:
    """Unpack into ``staging`` and check it: the manifest is readable, every member is listed and matches its
    checksum, nothing listed is missing. Raises BackupError naming the member at fault."""
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    names = []
    current = "the archive"
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                current = member.name
                if not (member.isfile() or member.isdir()):
                    raise BackupError(f"member {member.name}: not a regular file")
                tar.extract(member, staging, filter="data")
                names.append(member.name)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        where = "the archive" if current == "the archive" else f"member {current} (or the one after it)"
        raise BackupError(f"{archive} is corrupt at {where}: {exc}") from None
    if MANIFEST not in names:
        raise BackupError(f"{archive} has no {MANIFEST}: not a Saksham backup")
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
        checksums = manifest["sha256"]
        if not isinstance(checksums, dict) or not isinstance(manifest["counts"], dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"member {MANIFEST}: unreadable or incomplete") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"member {MANIFEST}: format {manifest.get('format')!r}, this version reads {FORMAT}")
    files = [n for n in names if (staging / n).is_file() and n != MANIFEST]
    for name in files:
        if name not in checksums:
            raise BackupError(f"member {name}: not listed in the manifest (the archive was altered)")
    for name, expected in checksums.items():
        path = staging / name
        if not path.is_file():
            raise BackupError(f"member {name}: listed in the manifest but missing from the archive")
        if _sha256(path) != expected:
            raise BackupError(f"member {name}: checksum does not match the manifest (the archive is corrupt "
                              "or was altered)")
    if manifest.get("database") not in checksums:
        raise BackupError(f"member {MANIFEST}: names no database member")
    return manifest


def _database_tables() -> list[str]:
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def _database_has_tables() -> bool:
    tables = [t for t in _database_tables() if t != "django_migrations"]
    return bool(tables)


def _media_has_files() -> bool:
    return bool(_media_files())


def _restore_sqlite(path: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target, timeout=30)
    try:
        source.backup(dest)
    finally:
        source.close()
        dest.close()


def _restore_pg(path: Path, *, force: bool) -> None:
    db = settings.DATABASES["default"]
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_args(db)
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", *args,
          "-d", str(db["NAME"]), str(path)], env, "pg_restore")


def _restore_media(staging: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    if root.exists() and any(root.iterdir()):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        root.rename(root.with_name(f"{root.name}.before-restore-{stamp}"))
    source = staging / "media"
    if source.is_dir():
        shutil.copytree(source, root, dirs_exist_ok=True)
    else:
        root.mkdir(parents=True, exist_ok=True)


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def restore(archive: Path, *, force: bool = False, say: Say = lambda text: None) -> Restored:
    """Restore ``archive`` into this deployment's database, media folder and data directory, then count the
    restored tables against the manifest."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="saksham-restore-") as tmp:
        staging = Path(tmp)
        say(f"checking {archive}")
        manifest = _unpack(archive, staging)
        say(f"every member matches the manifest ({len(manifest['sha256'])} members, "
            f"created {manifest.get('created')}, {manifest.get('backend')})")
        if manifest.get("backend") != backend():
            raise BackupError(f"the archive holds a {manifest.get('backend')} database; this deployment uses "
                              f"{backend()} (set DATABASE_URL)")
        if not force:
            if _database_has_tables():
                raise BackupError("the database is not empty (it has tables); restore into an empty database, "
                                  "or pass --force to replace it")
            if _media_has_files():
                raise BackupError(f"the media folder {settings.MEDIA_ROOT} is not empty; pass --force to replace "
                                  "it (the old one is kept beside it)")
        result = Restored(manifest=manifest)
        say("restoring the database")
        if backend() == "sqlite":
            _restore_sqlite(staging / manifest["database"])
        else:
            _restore_pg(staging / manifest["database"], force=force)
        say("restoring the uploads")
        _restore_media(staging)
        secret = staging / SECRET_MEMBER
        if secret.is_file():
            text = secret.read_text().strip()
            _write_secret(Path(settings.DATA_DIR) / "secret_key", text)
            if os.environ.get("SECRET_KEY") and os.environ["SECRET_KEY"] != text:
                result.warnings.append("SECRET_KEY in the environment differs from the archive's: sessions and "
                                       "signed links of the backup will not be recognised until it is set to it "
                                       f"(written to {Path(settings.DATA_DIR) / 'secret_key'})")
        master = staging / MASTER_KEY_MEMBER
        if master.is_file():
            text = master.read_text().strip()
            _write_secret(_master_key_file(), text)
            if os.environ.get(MASTER_KEY_ENV) and os.environ[MASTER_KEY_ENV] != text:
                result.warnings.append(f"{MASTER_KEY_ENV} in the environment differs from the archive's key file: "
                                       "the signing keys will not decrypt until it is unset or set to it")
        elif manifest.get("credentials_master_key") == "environment":
            result.warnings.append(f"the backed-up deployment kept its master key in {MASTER_KEY_ENV}: set the "
                                   "same value here, or the signing keys will not decrypt")
    connection.close()
    known = set(project_tables())
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        tables = [t for t in manifest["counts"] if t in known and t in present]
        result.counts = _count(cursor, tables, connection.ops.quote_name)
    for table, expected in manifest["counts"].items():
        got = result.counts.get(table)
        if got != expected:
            result.mismatches[table] = (int(expected), -1 if got is None else got)
    return result
