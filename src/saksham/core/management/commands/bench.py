import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import saksham

BENCH_DIR = Path(os.environ.get("SAKSHAM_BENCH_DIR", Path(saksham.__file__).resolve().parents[2] / "bench"))


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_"))


class Command(BaseCommand):
    help = "Run a benchmark from bench/ (or 'all'). Each prints lines 'NAME.figure: VALUE UNIT (ratio R to BASELINE)'."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--size", type=int, default=None)

    def handle(self, *args, name, size, **opts):
        names = available()
        if name == "all":
            for n in names:
                self._run(n, size=None)
            return
        if name not in names:
            raise CommandError(f"unknown benchmark {name!r}; available: {', '.join(names) or '(none)'}")
        self._run(name, size)

    def _run(self, name: str, size):
        if os.environ.get("SAKSHAM_BENCH_CHILD") == name:
            spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
            if spec is None or spec.loader is None:
                raise CommandError(f"cannot load benchmark {name!r}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.run(size=size or module.DEFAULT_SIZE, out=self.stdout)
            return
        # Each benchmark runs in its own process on its own scratch database.
        with tempfile.TemporaryDirectory(prefix=f"saksham-bench-{name}-") as tmp:
            env = dict(os.environ, SAKSHAM_BENCH_CHILD=name, SAKSHAM_DATA_DIR=tmp,
                       SAKSHAM_TASK_BACKEND="django_tasks.backends.dummy.DummyBackend")
            env.pop("DATABASE_URL", None)
            if os.environ.get("SAKSHAM_BENCH_DATABASE_URL"):
                env["DATABASE_URL"] = os.environ["SAKSHAM_BENCH_DATABASE_URL"]
            cmd = [sys.executable, "-m", "saksham.cli", "bench", name] + (["--size", str(size)] if size else [])
            rc = subprocess.run(cmd, env=env, check=False).returncode
            if rc:
                raise CommandError(f"benchmark {name} failed (exit {rc})")
