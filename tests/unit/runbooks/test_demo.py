"""The demo runner: order, summary, exit status, the closing hint."""

from __future__ import annotations

import re

import nbformat
import pytest

from runbooks import demo


def test_notebooks_run_in_order_and_a_failure_stops_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[str] = []

    def fake_run(name: str, parameters: dict | None = None, **_: object) -> demo.Run:
        ran.append(name)
        return demo.Run(
            name,
            name != "03-pulumi-state-bucket",
            1.25,
            "AssertionError: boom" if name.startswith("03") else "",
        )

    monkeypatch.setattr(demo, "run_notebook", fake_run)
    monkeypatch.setattr(demo, "stack_outputs", lambda stack: "httpApiUrl  http://127.0.0.1:1")
    assert demo.main([]) == 1
    assert ran == list(demo.NOTEBOOKS[:4])
    out = capsys.readouterr().out
    assert re.search(r"^03-pulumi-state-bucket\s+FAIL\s+1\.2\s*$", out, re.M)
    assert "AssertionError: boom" in out
    assert out.rstrip().endswith("the embedded cloud is still running: `make down` stops it")


def test_all_passing_exits_zero(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(demo, "run_notebook", lambda name, parameters=None, **_: demo.Run(name, True, 2.0))
    monkeypatch.setattr(demo, "stack_outputs", lambda stack: "httpApiUrl  http://127.0.0.1:1")
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("pass") >= len(demo.NOTEBOOKS) and "httpApiUrl" in out


def test_local_environment_points_kernels_at_the_cloud_and_a_scratch_config(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    env = demo.local_environment(tmp_path / "lc", tmp_path)
    assert env["LOCALCLOUD_HOME"] == str(tmp_path / "lc")
    assert env["AWS_CONFIG_FILE"] == str(tmp_path / "aws-config")
    assert env["PULUMI_CONFIG_PASSPHRASE"] == "sesha-local"


def test_change_report_is_the_notebooks_own_change_line(tmp_path) -> None:
    # given an executed deploy notebook whose output says what the deploy changed
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("result = deploy.run(tgt, stack)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="+ create   aws:s3/bucket:Bucket pages\n"),
        nbformat.v4.new_output("stream", name="stdout", text="stack local: 0 created, 0 updated (137)\n"),
    ]
    nb.cells.append(cell)
    executed = tmp_path / "05-deploy.ipynb"
    nbformat.write(nb, executed)

    # when / then: the summary shows that line; notebooks without a change line show nothing
    assert demo.change_report("05-deploy", executed) == "stack local: 0 created, 0 updated (137)"
    assert demo.change_report("00-environment", executed) == ""
