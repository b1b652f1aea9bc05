"""``python -m localcloud`` with bad input: a clear message and exit code 2, no traceback, nothing lost.
No embedded cloud is started here (the process-level tests are in tests/integration)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from localcloud import __main__ as cli
from localcloud import endpoints, process
from localcloud.config import CloudConfig, ConfigError


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A state dir of its own and ports that are never the shared defaults."""
    monkeypatch.setenv("LOCALCLOUD_HOME", str(tmp_path / "lc"))
    monkeypatch.setenv("LOCALCLOUD_EDGE_PORT", "1")
    monkeypatch.setenv("LOCALCLOUD_OPENSEARCH_PORT", "2")
    monkeypatch.setenv("LOCALCLOUD_GATEWAY_PORT", "3")
    return tmp_path / "lc"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LOCALCLOUD_EDGE_PORT", "abc", "LOCALCLOUD_EDGE_PORT='abc' is not a port number"),
        ("LOCALCLOUD_OPENSEARCH_PORT", "99999", "the opensearch port 99999 is out of range"),
        ("LOCALCLOUD_GATEWAY_PORT", "0", "the gateway port 0 is out of range"),
        ("LOCALCLOUD_GATEWAY_PORT", "1", "needs three different ports"),
    ],
)
def test_a_bad_port_variable_is_a_clear_error(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)

    code = cli.main(["up"])

    assert code == 2
    assert expected in capsys.readouterr().err
    assert not env.exists()  # nothing was started or written


def test_port_variables_are_read_when_a_config_is_made(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALCLOUD_EDGE_PORT", "24566")

    assert CloudConfig().edge_port == 24566
    with pytest.raises(ConfigError):
        CloudConfig(edge_port=5, opensearch_port=5, gateway_port=6)


def test_a_state_dir_that_is_a_file_is_a_clear_error(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    monkeypatch.setenv("LOCALCLOUD_HOME", str(a_file))
    monkeypatch.setattr(process, "_port_free", lambda host, port: True)  # reach the state dir

    code = cli.main(["up"])

    assert code == 2
    assert "point LOCALCLOUD_HOME at a folder you can write to" in capsys.readouterr().err
    assert a_file.read_text() == "not a folder"


@pytest.mark.parametrize("content", ['{"edge": ', "{}", "[1, 2]", '{"edge": "x"}'])
def test_a_corrupt_endpoints_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "endpoints.json").write_text(content)

    with pytest.raises(endpoints.EndpointsUnreadable, match="restart the embedded cloud"):
        endpoints.load(tmp_path)


def test_status_with_a_corrupt_endpoints_file_says_what_to_do(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.mkdir(parents=True)
    (env / "endpoints.json").write_text('{"edge": ')
    monkeypatch.setattr(process, "running_pid", lambda cfg: 4242)

    code = cli.main(["status"])

    assert code == 1
    out = capsys.readouterr().out
    assert "running (pid 4242)" in out
    assert "is unreadable" in out and "localcloud down" in out


def test_a_pid_file_naming_another_instances_daemon_is_not_ours(tmp_path: Path) -> None:
    """A copied state dir (or pid reuse) must never make ``down`` stop someone else's embedded cloud."""
    other = CloudConfig(state_dir=tmp_path / "other", edge_port=1, opensearch_port=2, gateway_port=3)
    mine = CloudConfig(state_dir=tmp_path / "mine", edge_port=1, opensearch_port=2, gateway_port=3)
    mine.state_dir.mkdir()
    # A process whose command line looks exactly like the other instance's daemon.
    fake = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "localcloud.daemon", other.to_json()]
    )
    try:
        mine.pid_file.write_text(f"{fake.pid}\n")
        assert process.running_pid(mine) is None
        assert process.down(mine) is False
        assert fake.poll() is None  # still alive

        other.state_dir.mkdir()
        other.pid_file.write_text(f"{fake.pid}\n")
        assert process.running_pid(other) == fake.pid  # its own instance does recognise it
    finally:
        fake.kill()
        fake.wait()


def test_a_pid_file_naming_an_unrelated_or_dead_process_is_dropped(tmp_path: Path) -> None:
    cfg = CloudConfig(state_dir=tmp_path, edge_port=1, opensearch_port=2, gateway_port=3)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for content in (str(sleeper.pid), "999999999", "garbage", ""):
            cfg.pid_file.write_text(content)
            assert process.running_pid(cfg) is None
        cfg.pid_file.write_text(str(sleeper.pid))
        assert process.down(cfg) is False
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()


def test_reset_removes_only_what_the_embedded_cloud_wrote(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.mkdir(parents=True)
    (env / "notes.txt").write_text("mine")
    (env / "logs").mkdir()
    (env / "logs" / "localcloud.log").write_text("old")
    (env / "gateway-ports.json").write_text(json.dumps({"api": 1}))
    monkeypatch.setattr(cli, "_up", lambda cfg, args: 0)

    assert cli.main(["reset"]) == 0

    assert sorted(p.name for p in env.iterdir()) == ["notes.txt"]
    assert (env / "notes.txt").read_text() == "mine"
    assert "left in place (not the embedded cloud's): notes.txt" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # werkzeug's sys.exit
def test_the_emulator_says_so_when_its_port_is_taken() -> None:
    from localcloud import emulator

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        cfg = CloudConfig(state_dir=Path("/nonexistent"), edge_port=port, opensearch_port=1, gateway_port=2)

        with pytest.raises(emulator.EmulatorStartFailed, match=f"127.0.0.1:{port}"):
            emulator.EmulatorServer(cfg).start()


def test_endpoints_of_a_crashed_cloud_say_it_is_not_running(tmp_path: Path) -> None:
    """A daemon killed with SIGKILL leaves endpoints.json behind: clients must not get "could not connect"."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    data = {
        "edge": "http://127.0.0.1:1",
        "opensearch": "http://127.0.0.1:2",
        "gateway": "http://127.0.0.1:3",
        "region": "eu-north-1",
        "account_id": "123456789012",
        "pid": dead.pid,
    }
    (tmp_path / "endpoints.json").write_text(json.dumps(data))

    with pytest.raises(endpoints.CloudNotRunning, match=f"process {dead.pid} is gone.*make up"):
        endpoints.load(tmp_path)

    data["pid"] = os.getpid()
    (tmp_path / "endpoints.json").write_text(json.dumps(data))
    assert endpoints.load(tmp_path).edge == "http://127.0.0.1:1"
