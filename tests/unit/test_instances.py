"""Where background instances are kept (issue 14, item 9): the user's runtime directory, which
every shell of the user sees, private to the user."""

from __future__ import annotations

import os
import stat

import pytest

from unibuild import instances
from unibuild.errors import UserError


def test_the_store_is_under_xdg_runtime_dir_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    directory = instances.state_dir()
    assert directory == tmp_path / "unibuild" / "instances"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert instances.list_instances(include_stopped=True) == []


def test_an_unknown_or_malformed_name_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    for name in ("nope", "../etc", ""):
        with pytest.raises(UserError, match="no instance named"):
            instances.get(name)


def test_an_instance_whose_process_vanished_without_a_status_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    directory = instances.state_dir() / "ghost"
    directory.mkdir()
    (directory / "instance.json").write_text(
        '{"name": "ghost", "program": "p", "argv": [], "pid": 999999999, "started": 0}')
    ghost = instances.get("ghost")
    assert not ghost.running and ghost.state.startswith("gone")
    assert [i.name for i in instances.list_instances()] == []
    assert [i.name for i in instances.list_instances(include_stopped=True)] == ["ghost"]
    instances.remove("ghost")
    assert not directory.exists()
    assert os.listdir(instances.state_dir()) == []
