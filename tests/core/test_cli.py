"""`saksham COMMAND`: the hyphenated spelling of the docs runs the underscored Django command."""

import subprocess
import sys

from saksham.cli import command_argv


def test_hyphenated_commands_map_to_their_python_names():
    assert command_argv(["saksham", "import-users", "people.csv", "--org", "IN-BR"]) == \
        ["saksham", "import_users", "people.csv", "--org", "IN-BR"]
    assert command_argv(["saksham", "bench", "search", "--size", "10"]) == ["saksham", "bench", "search", "--size", "10"]
    assert command_argv(["saksham", "--version"]) == ["saksham", "--version"]
    assert command_argv(["saksham"]) == ["saksham"]


def test_the_console_script_runs_a_hyphenated_command(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import sys; from saksham.cli import main; sys.argv=['saksham', "
                          "'import-users', '--help']; main()"], capture_output=True, text=True, timeout=60,
                         env={"SAKSHAM_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert "--org" in out.stdout
