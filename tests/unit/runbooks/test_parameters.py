"""Notebook parameters: papermill's injected names must be declared and typed as declared."""

from __future__ import annotations

import pytest

from runbooks import parameters

DECLARED = {"target": str, "stack": str, "dry_run": bool, "threshold_minutes": int, "profile": str | None}


def namespace(injected: str, **values: object) -> dict[str, object]:
    base = {"target": "local", "stack": "local", "dry_run": True, "threshold_minutes": 60, "profile": None}
    return {"__annotations__": DECLARED, "In": ["", "target: str = 'local'", injected], **base, **values}


def test_declared_parameters_pass_and_come_back() -> None:
    # given papermill injected known names with values of the declared types
    ns = namespace('# Parameters\ntarget = "aws"\ndry_run = False\n', target="aws", dry_run=False)
    # when checked, then the declared parameters come back with their values
    assert parameters.check(ns)["target"] == "aws"
    assert parameters.check(ns)["dry_run"] is False


def test_unknown_name_fails_naming_it_and_the_declared_ones() -> None:
    # the real case: `-p dryrun False` ran silently with dry_run still True
    ns = namespace("# Parameters\ndryrun = False\n", dryrun=False)
    with pytest.raises(
        parameters.ParameterError, match=r"unknown parameter.*dryrun.*takes target, stack, dry_run"
    ):
        parameters.check(ns)


def test_wrong_type_fails() -> None:
    ns = namespace('# Parameters\ndry_run = "False"\n', dry_run="False")
    with pytest.raises(parameters.ParameterError, match="dry_run should be bool"):
        parameters.check(ns)


def test_bool_is_not_an_int_and_optional_takes_none_or_str() -> None:
    assert parameters.check(namespace("", profile="sesha-backend-dev"))["profile"] == "sesha-backend-dev"
    with pytest.raises(parameters.ParameterError, match="threshold_minutes should be int"):
        parameters.check(namespace("", threshold_minutes=True))


def test_cells_the_user_ran_are_not_mistaken_for_injected_ones() -> None:
    # re-running the derived-values cell in JupyterLab leaves new names in the namespace: still fine
    ns = namespace("tgt = 1", tgt=1)
    assert set(parameters.check(ns)) == set(DECLARED)


def test_a_notebook_without_annotated_parameters_is_refused() -> None:
    with pytest.raises(parameters.ParameterError, match="declares no parameters"):
        parameters.check({"In": []})


def test_wrong_type_from_papermills_text_says_how_to_pass_it() -> None:
    declared = {**DECLARED, "policy_arns": list}
    ns = {
        **namespace('# Parameters\ndry_run = "yes"\npolicy_arns = "[]"\n', dry_run="yes"),
        "__annotations__": declared,
        "policy_arns": "[]",
    }
    with pytest.raises(parameters.ParameterError) as err:
        parameters.check(ns)
    assert "-p dry_run True or -p dry_run False" in str(err.value)
    assert "-y 'policy_arns: []'" in str(err.value)
