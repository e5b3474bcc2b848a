"""SECRET_KEY unset: one key per instance, stored under instance/, shared by every process (issue 12).

With `gunicorn -w 4` a cookie signed by one worker must be accepted by the others."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_env_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)


def _app(instance: Path, db_url: str):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url}, instance_path=str(instance))


def test_two_apps_on_one_instance_accept_each_others_session_cookie(no_env_key, tmp_path, db_url):
    first, second = _app(tmp_path / "instance", db_url), _app(tmp_path / "instance", db_url)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    key_file = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    signed = first.session_interface.get_signing_serializer(first).dumps({"user_id": 7})
    assert second.session_interface.get_signing_serializer(second).loads(signed) == {"user_id": 7}
    client = second.test_client()
    client.set_cookie(second.config.get("SESSION_COOKIE_NAME", "session"), signed)
    with client.session_transaction() as session:
        assert session.get("user_id") == 7
    # another instance gets another key: its cookies are refused
    other = _app(tmp_path / "elsewhere", db_url)
    assert other.secret_key != first.secret_key


def test_environment_key_wins_and_writes_no_file(monkeypatch, tmp_path, db_url):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    app = _app(tmp_path / "instance", db_url)
    assert app.secret_key == "k" * 40
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_truncated_key_file_is_refused(no_env_key, tmp_path, db_url):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("short\n")
    with pytest.raises(RuntimeError, match="secret_key"):
        _app(tmp_path / "instance", db_url)


def test_an_unwritable_instance_says_to_set_the_key(no_env_key, tmp_path, monkeypatch):
    from app import config

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(config.os, "open", refuse)  # a read-only instance folder (a container image)
    with pytest.raises(RuntimeError, match="cannot be created.*set SECRET_KEY"):
        config.instance_secret_key(tmp_path / "instance")


SIGN = """
import sys
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[2]}, instance_path=sys.argv[1])
s = app.session_interface.get_signing_serializer(app)
if len(sys.argv) > 3:
    print(s.loads(sys.argv[3])["user_id"])
else:
    print(s.dumps({"user_id": 42}))
"""


def test_two_processes_share_the_key(no_env_key, tmp_path, db_url):
    """Two separate Python processes (two gunicorn workers): one signs, the other reads."""
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    instance = str(tmp_path / "instance")

    def run(*args):
        return subprocess.run([sys.executable, "-c", SIGN, instance, db_url, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]

    cookie = run()
    assert run(cookie) == "42"
