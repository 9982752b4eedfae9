"""The operator's side: ``manage.py`` commands run in the server's clone with the server's
environment (a password change, a new generated password), for the attacks that start from
something staff do."""

from __future__ import annotations

import subprocess

from attacks.base import Context, SceneError

COMMAND_TIMEOUT = 180


def manage(context: Context, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python manage.py <args>`` in the clone. A new session, so no controlling terminal:
    Django's password prompts then read ``stdin`` (getpass falls back to it)."""
    setup = context.setup
    if setup.clone_dir is None or setup.python is None:
        raise SceneError("needs the server's clone and python (setup clone_dir, python)")
    return subprocess.run(
        [str(setup.python), "manage.py", *args],
        cwd=setup.clone_dir,
        env=setup.server_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        start_new_session=True,
        check=False,
    )


def printed_password(output: str) -> str:
    """The password ``create_admin --generate`` prints once."""
    for line in output.splitlines():
        if line.startswith("Password (shown once):"):
            return line.split(":", 1)[1].strip()
    raise SceneError(f"no generated password in: {output[-200:]!r}")
