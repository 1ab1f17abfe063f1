"""`saksham`: the project's manage.py under one name (`saksham demo`, `saksham serve`, `saksham bench` ...)."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saksham.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(command_argv(sys.argv))
    except ImproperlyConfigured as exc:     # a setting the environment must give (production): one line, no traceback
        sys.exit(f"saksham: {exc}")


def command_argv(argv: list[str]) -> list[str]:
    """Commands are spelt with hyphens on the command line (`saksham import-users`) and with underscores in
    Python (`import_users`): both spellings run the same command."""
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


if __name__ == "__main__":
    main()
