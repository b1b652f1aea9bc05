"""Archives are reproducible (same code → same bytes and hash) and layers are cached by their inputs."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from infra import lambda_packaging


@pytest.fixture
def lambdas_dir(tmp_path: Path) -> Path:
    """A small lambdas/ tree: the package marker, core, two functions and some byte code to leave out."""
    root = tmp_path / "lambdas"
    for relative, text in {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/config.py": "X = 1\n",
        "alpha/__init__.py": "",
        "alpha/handler.py": "def handler(event, context):\n    return 1\n",
        "alpha/__pycache__/handler.cpython-311.pyc": "junk",
        "beta/__init__.py": "",
        "beta/handler.py": "def handler(event, context):\n    return 2\n",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_function_archive_holds_core_and_the_function_only(lambdas_dir: Path, tmp_path: Path) -> None:
    built = lambda_packaging.function_archive("alpha", lambdas_dir, tmp_path / "build")
    names = zipfile.ZipFile(built.path).namelist()
    assert names == sorted(names)
    assert names == [
        "lambdas/__init__.py",
        "lambdas/alpha/__init__.py",
        "lambdas/alpha/handler.py",
        "lambdas/core/__init__.py",
        "lambdas/core/config.py",
    ]


def test_same_code_gives_the_same_bytes_whatever_the_file_times(lambdas_dir: Path, tmp_path: Path) -> None:
    first = lambda_packaging.function_archive("alpha", lambdas_dir, tmp_path / "one")
    handler = lambdas_dir / "alpha" / "handler.py"
    handler.write_text(handler.read_text())  # new mtime, same content
    second = lambda_packaging.function_archive("alpha", lambdas_dir, tmp_path / "two")
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()
    for info in zipfile.ZipFile(second.path).infolist():
        assert info.date_time == lambda_packaging.FIXED_DATE_TIME
        assert (info.external_attr >> 16) & 0o777 == 0o644


def test_content_given_as_bytes_zips_like_the_same_file(tmp_path: Path) -> None:
    # given the same handler as a file on disk and as bytes (the local engine hands over bytes)
    source = tmp_path / "app.py"
    source.write_text("def handler(event, context):\n    return event\n")

    # when both are zipped, then the archives are identical, entries sorted
    from_file = lambda_packaging.deterministic_zip([("b/app.py", source), ("a.txt", b"x")])
    from_bytes = lambda_packaging.deterministic_zip([("a.txt", b"x"), ("b/app.py", source.read_bytes())])
    assert from_file == from_bytes
    assert zipfile.ZipFile(io.BytesIO(from_file)).namelist() == ["a.txt", "b/app.py"]


def test_changed_code_gives_a_new_archive(lambdas_dir: Path, tmp_path: Path) -> None:
    before = lambda_packaging.function_archive("alpha", lambdas_dir, tmp_path)
    (lambdas_dir / "core" / "config.py").write_text("X = 2\n")
    after = lambda_packaging.function_archive("alpha", lambdas_dir, tmp_path)
    assert after.sha256 != before.sha256 and after.path != before.path


def test_a_folder_without_handler_is_a_clear_error(lambdas_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(lambda_packaging.PackagingError, match=r"handler\.py"):
        lambda_packaging.function_archive("missing", lambdas_dir, tmp_path)


def test_every_real_function_packages(tmp_path: Path) -> None:
    from infra.backend import ALL_FUNCTIONS

    for function in ALL_FUNCTIONS:
        names = zipfile.ZipFile(
            lambda_packaging.function_archive(function, build_dir=tmp_path).path
        ).namelist()
        assert f"lambdas/{function}/handler.py" in names and "lambdas/core/config.py" in names


def test_installed_requirements_resolve_with_their_dependencies_and_extras() -> None:
    resolved = lambda_packaging.resolve_installed(
        lambda_packaging.read_requirements(lambda_packaging.REQUIREMENTS)
    )
    names = {lambda_packaging.canonicalize_name(d.metadata["Name"]) for d in resolved}
    # pydantic → pydantic-core; powertools[validation] → fastjsonschema; opensearch-py → requests → urllib3
    assert {
        "aws-lambda-powertools",
        "pydantic",
        "pydantic-core",
        "fastjsonschema",
        "requests",
        "urllib3",
    } <= names
    assert "pytest" not in names and "boto3" not in names


def test_a_requirement_that_is_not_installed_says_what_to_do(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("surely-not-installed-package-xyz\n")
    with pytest.raises(lambda_packaging.PackagingError, match=r"not installed.*layerPlatform: lambda"):
        lambda_packaging.host_layer(requirements, tmp_path)


def test_an_installed_version_outside_the_bounds_is_refused(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic<1\n")
    with pytest.raises(lambda_packaging.PackagingError, match="does not satisfy"):
        lambda_packaging.host_layer(requirements, tmp_path)


def test_host_layer_is_built_once_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("jmespath\n")
    built = lambda_packaging.host_layer(requirements, tmp_path)
    names = zipfile.ZipFile(built.path).namelist()
    assert "python/jmespath/__init__.py" in names and all(n.startswith("python/") for n in names)

    monkeypatch.setattr(
        lambda_packaging, "deterministic_zip", lambda entries: pytest.fail("rebuilt a cached layer")
    )
    assert lambda_packaging.host_layer(requirements, tmp_path) == built


def test_lambda_layer_fetches_platform_wheels_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("jmespath\n")
    commands: list[list[str]] = []

    def fake_pip(command: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        commands.append(command)
        target = Path(command[command.index("--target") + 1])
        (target / "jmespath").mkdir(parents=True)
        (target / "jmespath" / "__init__.py").write_text("")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(lambda_packaging.subprocess, "run", fake_pip)
    first = lambda_packaging.lambda_layer(requirements, "python3.11", tmp_path)
    second = lambda_packaging.lambda_layer(requirements, "python3.11", tmp_path)
    assert first == second and len(commands) == 1
    command = commands[0]
    assert command[command.index("--platform") + 1] == "manylinux2014_x86_64"
    assert command[command.index("--python-version") + 1] == "3.11"
    assert "--only-binary=:all:" in command
    assert zipfile.ZipFile(first.path).namelist() == ["python/jmespath/__init__.py"]


def test_pip_failure_is_reported_with_its_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("jmespath\n")
    monkeypatch.setattr(
        lambda_packaging.subprocess,
        "run",
        lambda command, **_: subprocess.CompletedProcess(command, 1, "", "No matching distribution found"),
    )
    with pytest.raises(lambda_packaging.PackagingError, match="No matching distribution found"):
        lambda_packaging.lambda_layer(requirements, "python3.11", tmp_path)


def test_unknown_layer_platform_is_refused() -> None:
    with pytest.raises(lambda_packaging.PackagingError, match="unknown layerPlatform"):
        lambda_packaging.dependencies_layer("docker", "python3.11")
