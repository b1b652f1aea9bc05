"""Writes the runbook notebooks from the cell texts below, and (``--execute``) fills in their outputs
from a real run on a private embedded cloud.

The committed ``.ipynb`` files are the product: nbval compares a fresh run against their outputs. The
outputs kept are those of a *second* run in a row (the steady state a re-run must reproduce: the first
run creates, every later run finds nothing to change).

    .venv/bin/python notebooks/build.py            # rewrite the notebooks, outputs dropped
    .venv/bin/python notebooks/build.py --execute  # … then run them twice and keep the outputs
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(NOTEBOOKS_DIR.parent))

from runbooks import demo  # noqa: E402  (after the path is set, when run as a script)

COMMON_TARGET = """\
target: str = "local"  # "local": the embedded cloud; "aws": a real account
stack: str = "local"  # "local", "sesha-backend-dev" or "sesha-backend-prod"
profile: str = ""  # AWS profile for target="aws" ("" = environment credentials, as in CI)
region: str = "eu-north-1"  # the region everything lives in"""

IGNORE = "# NBVAL_IGNORE_OUTPUT"


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text.strip())


def code(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text.strip())


def params(text: str) -> nbformat.NotebookNode:
    cell = code(text)
    cell.metadata["tags"] = ["parameters"]
    return cell


CHECK = "params = parameters.check(globals())  # refuses unknown or mistyped papermill parameters"


def nb_00() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 00 · Environment

## Objective
Check the tools this repository needs, start (or reach) the target, show the account and the region,
and say plainly which path a deploy will take."""),
        md("""
## Prerequisites
- `make setup` has created `.venv` (every `make` target does it on first use).
- `target="aws"`: a profile from notebook 01 after `aws sso login --profile <profile>`, or credentials in
  the environment (CI)."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = False  # accepted so CI passes the same parameters everywhere; nothing is changed here"""),
        code(f"""
from runbooks import environment, parameters

{CHECK}"""),
        md("""
## Steps
### 1. Tools
Takes nothing; produces each tool's version (`missing` when absent). The Pulumi CLI is optional: without
it, the embedded cloud is deployed by the local deploy engine. Versions differ between machines, so this
cell's output is not compared by nbval."""),
        code(f"""
{IGNORE}
found = environment.tools()
print(environment.tools_table(found))"""),
        md("""
### 2. Start or reach the target
Takes `target`, `profile`, `region`; starts the embedded cloud when the target is `local` and it is not
running; produces the account id, the region and the deploy path."""),
        code("""
env = environment.reach(target, profile, region)
print(env.summary())"""),
        md("## Verify"),
        code("""
import sys

versions = {t.name: t.version for t in found}
assert sys.version_info >= (3, 11), versions["python"]
assert all(versions[p] for p in ("boto3", "pulumi", "papermill")), versions
assert env.region == region and len(env.account_id) == 12 and env.account_id.isdigit()
assert env.deploy_path and not env.deploy_path.startswith("none"), env.deploy_path
print("environment ok")"""),
        md("""
## Roll back
Nothing was changed. `make down` stops the embedded cloud (its state goes with it)."""),
    ]


def nb_01() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 01 · AWS SSO profiles

## Objective
Write (or merge) an `[sso-session sesha]` and the profiles `sesha-backend-dev` and `sesha-backend-prod`
into your AWS config file, so that `aws sso login` and every notebook with `target="aws"` can use them.
The file is backed up first; other profiles, comments and ordering are never changed; a second run
changes nothing."""),
        md("""
## Prerequisites
- The IAM Identity Center portal URL, the two account ids and the permission set name (from whoever
  administers the AWS organization). Replace the placeholder values below.
- Nothing else: this notebook only edits a file; it contacts no cloud."""),
        params("""
aws_config_file: str = ""  # "" = $AWS_CONFIG_FILE, else ~/.aws/config (the AWS CLI's own order)
sso_start_url: str = "https://sesha.awsapps.com/start"  # the IAM Identity Center portal URL
sso_region: str = "eu-north-1"  # the Identity Center's home region
dev_account_id: str = "111111111111"  # replace: the sesha-backend-dev account
prod_account_id: str = "222222222222"  # replace: the sesha-backend-prod account
role_name: str = "AdministratorAccess"  # the permission set both profiles sign in with
region: str = "eu-north-1"  # default region of both profiles
dry_run: bool = False  # True: show what would change, write nothing"""),
        code(f"""
from runbooks import aws_sso_profiles, parameters

{CHECK}
settings = aws_sso_profiles.SsoSettings(
    start_url=sso_start_url,
    sso_region=sso_region,
    accounts={{"sesha-backend-dev": dev_account_id, "sesha-backend-prod": prod_account_id}},
    role_name=role_name,
    region=region,
)
config_path = aws_sso_profiles.config_path(aws_config_file)"""),
        md("""
## Steps
### 1. Merge the session and the profiles
Takes the settings above; produces the updated config file and, if anything changed, a backup
`config.bak-<UTC time>` next to it. A file that does not parse is left alone with an error."""),
        code("""
if dry_run:
    current = config_path.read_text() if config_path.exists() else ""
    _, changed = aws_sso_profiles.merge(current, settings.sections())
    print("would change:", changed or "nothing")
else:
    result = aws_sso_profiles.write(settings, aws_config_file)
    print("changed:", result.changed or "nothing (already as required)")
    print("backup:", result.backup or "none needed")"""),
        md("""
### 2. Next: sign in (interactive, not run here)
```
aws sso login --sso-session sesha
aws sts get-caller-identity --profile sesha-backend-dev
```"""),
        md("""
## Verify
botocore resolves each profile from the file, with its SSO session, to exactly the settings above."""),
        code("""
if not dry_run:
    resolved = aws_sso_profiles.verify(settings, aws_config_file)
    for name, profile_config in resolved.items():
        print(f"{name}: account {profile_config['sso_account_id']}, role {profile_config['sso_role_name']}, "
              f"region {profile_config['region']}, session {profile_config['sso_session']}")
    assert set(resolved) == {"sesha-backend-dev", "sesha-backend-prod"}"""),
        md("""
## Roll back
Put the backup back (it is the file exactly as it was before the first change):
`aws_sso_profiles.restore(result.backup, aws_config_file)`."""),
    ]


def nb_02() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 02 · GitHub OIDC

## Objective
Let GitHub Actions deploy without stored keys: the account's OIDC identity provider for
`token.actions.githubusercontent.com` (audience `sts.amazonaws.com`), reused when it exists, and the
`github-actions` role, created with the trust policy and its permissions, or — when it exists — with
this repository appended to its trust policy.

Trust rules: the audience under `StringEquals`; subject patterns under `StringLike` only (a wildcard
under `StringEquals` never matches; an exact and a wildcard subject in one statement are ANDed and
nothing matches); the repository spelled as GitHub reports it; duplicates removed; the policy validated
before it is written (on failure the role keeps its policy)."""),
        md("""
## Prerequisites
- Notebook 00 (the target reachable). On AWS: permission to manage IAM in the account.
- The repository's `Owner/Repo` exactly as GitHub shows it. For GitHub's immutable subject format,
  the owner and repository ids (`gh api repos/Owner/Repo --jq '.owner.id, .id'`)."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = False  # True: validate and show the trust policy, change nothing
repository: str = "sesha-news/sesha-backend"  # Owner/Repo, casing as GitHub shows it
owner_id: int = 0  # immutable owner id (0: name-only subject format)
repo_id: int = 0  # immutable repository id (0: name-only subject format)
subject_suffix: str = "*"  # "*": any branch or environment; e.g. "environment:prod" to narrow
role_name: str = "github-actions"  # the role the deploy workflow assumes
policy_arns: list = ["arn:aws:iam::aws:policy/AdministratorAccess"]  # the role's permissions"""),
        code(f"""
from runbooks import github_oidc, parameters
from runbooks import target as targets

{CHECK}
repo = github_oidc.Repository(repository, owner_id or None, repo_id or None)
subject = repo.subject(subject_suffix)
iam = targets.resolve(target, profile, region).client("iam")
print("subject:", subject)"""),
        md("""
## Steps
### 1. The OIDC provider
Takes the account; produces the provider's ARN (created, reused, or reused with the audience added)."""),
        code("""
provider = github_oidc.ensure_provider(iam, dry_run=dry_run)
print("provider:", "created" if provider.created else "reused", "| audience added:", provider.audience_added)
"""),
        md("""
### 2. The `github-actions` role
Takes the provider and the subject; produces the role with a validated trust policy and the
permissions attached."""),
        code("""
role = github_oidc.ensure_role(iam, provider.arn, [subject], policy_arns, role_name, dry_run=dry_run)
print("role:", "created" if role.created else "exists", "| trust policy changed:", role.policy_changed,
      "| policies attached now:", role.attached or "none")"""),
        md("## Verify"),
        code("""
import json

policy = role.policy if dry_run else github_oidc.read_trust_policy(iam, role_name)
github_oidc.validate(policy, provider.arn)
ours = [s for s in policy["Statement"] if s.get("Principal", {}).get("Federated") == provider.arn]
assert subject in ours[0]["Condition"]["StringLike"][github_oidc.SUB_KEY]
print(json.dumps(policy, indent=2))"""),
        md("""
## Roll back
Remove the repository's subject from the role's trust policy in the IAM console (or delete the role
if it was created here: detach its policies first). Keep the OIDC provider if other roles use it."""),
    ]


def nb_03() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 03 · Pulumi state bucket

## Objective
The S3 bucket `sesha-backend-pulumi-<env>` that holds the stack's Pulumi state: versioning, SSE-S3, all
four public-access-block flags, ACLs disabled (bucket owner enforced), a TLS-only policy, created with
the region's location constraint; `.pulumi/meta.yaml` (`version: 1`) and the
`.pulumi/stacks/sesha-pulumi/` prefix. Re-running on an existing bucket re-applies every setting."""),
        md("""
## Prerequisites
Notebook 00 (the target reachable). On AWS: permission to create and configure S3 buckets."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = False  # True: list the settings that differ, change nothing"""),
        code(f"""
from runbooks import parameters, pulumi_state_bucket
from runbooks import target as targets

{CHECK}
env = pulumi_state_bucket.env_of_stack(stack)
s3 = targets.resolve(target, profile, region).client("s3")
print("bucket:", pulumi_state_bucket.bucket_name(env))"""),
        md("""
## Steps
### 1. Create or re-apply
Takes the environment and region; produces the bucket, and the list of settings that had to change
(empty on a re-run)."""),
        code("""
result = pulumi_state_bucket.ensure(s3, env, region, dry_run=dry_run)
print("created:" if result.created else "exists:", result.bucket)
print("settings changed:" if not dry_run else "settings that would change:", result.changed or "none")"""),
        md("""
## Verify
Every setting read back from S3."""),
        code("""
if not dry_run:
    for name, value in pulumi_state_bucket.verify(s3, env).items():
        print(f"{name:20} {value}")"""),
        md("""
## Roll back
Nothing to undo on a re-run. A state bucket is never deleted by a runbook: it holds every stack's
history (versioned). To retire one, destroy its stacks first, then empty and delete it by hand."""),
    ]


def nb_04() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 04 · Pulumi login and stack

## Objective
Check that the credentials belong to the account configured for the stack (a mismatch is refused),
set `AWS_REGION`, log in to the state backend `s3://sesha-backend-pulumi-<env>`, initialise the stack
with the passphrase secrets provider, and set its plain and secret config values. A secret never
appears in plain text: the stack file holds ciphertext in the Pulumi CLI's own format.

Without the Pulumi CLI (the embedded cloud), the same steps act on the local deploy engine's stack and
state bucket, as the step outputs say."""),
        md("""
## Prerequisites
- Notebook 03 (the state bucket exists).
- The stack passphrase in `PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE` (the local
  stack's is the documented, non-secret `sesha-local`; `make` sets it).
- Each secret's value in the environment variable named below (never in the notebook)."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = False  # True: check and show what would be set, change nothing
plain_config: dict = {{}}  # extra plain values to set, e.g. {{"writer": "extractive"}}
secret_env: dict = {{"proxyUrl": "SESHA_PROXY_URL"}}  # secret key -> variable holding its value"""),
        code(f"""
from runbooks import parameters
from runbooks import pulumi_login_and_stack as login
from runbooks import target as targets

{CHECK}
tgt = targets.resolve(target, profile, region)"""),
        md("""
## Steps
### 1. Credentials and account
Takes the target's credentials and the stack file's `sesha-pulumi:accountId`; produces the account id,
or stops on a mismatch."""),
        code("""
account = login.check_account(tgt, stack)
print("account:", account, "matches the stack's configured account")"""),
        md("""
### 2. Log in to the state backend
Takes the stack; produces the backend URL (with the CLI: `pulumi login`; without: the engine's
bucket checked)."""),
        code("""
backend = login.login(tgt, stack)
print(backend.describe())"""),
        md("""
### 3. Initialise the stack and set its config
Takes the passphrase and the values; produces the stack (initialised if new) and the keys that
changed (a re-run changes nothing)."""),
        code("""
result = login.init_and_configure(tgt, stack, plain_config, secret_env, dry_run=dry_run)
print(result.describe())"""),
        md("""
## Verify
Each secret is stored as ciphertext, decrypts with the passphrase, and its value is nowhere in the file."""),
        code("""
report = login.verify_secrets(stack, secret_env)
for key, line in report.items():
    print(f"{key}: {line}")"""),
        md("""
## Roll back
Config values: `git checkout infra/Pulumi.<stack>.yaml`. A stack initialised here holds no resources
until notebook 05 deploys it."""),
    ]


def nb_05() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 05 · Deploy

## Objective
Deploy the Pulumi program in `infra/` to the target, show the stack outputs as a table, check the
HTTP API's `/health` and run the health-check state machine."""),
        md("""
## Prerequisites
Notebooks 03 and 04 (state bucket, stack and its config). The stack passphrase in the environment."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = False  # True: preview only (what would change), deploy nothing"""),
        code(f"""
from runbooks import deploy, parameters
from runbooks import target as targets

{CHECK}
tgt = targets.resolve(target, profile, region)"""),
        md("""
## Steps
### 1. Deploy
Takes the program and the stack config; produces the resources and the stack outputs. A re-run changes
nothing."""),
        code(f"""
{IGNORE}
result = deploy.run(tgt, stack, preview=dry_run)  # prints its progress as it goes"""),
        md("""
### 2. Outputs
Produces the stack outputs (what every later step and notebook reads)."""),
        code("""
outputs = deploy.outputs(tgt, stack)
print(deploy.outputs_table(outputs))"""),
        md("""
## Verify
`GET /health` through the HTTP API (the health Lambda answers, naming the stack and the table it
reaches), and the health-check state machine, whose Task invokes the same Lambda."""),
        code("""
health = deploy.check_health(outputs)
print("GET /health ->", health.status, health.body)
assert health.status == 200 and health.body["status"] == "ok", health"""),
        code("""
execution = deploy.run_state_machine(tgt, outputs["healthCheckStateMachineArn"])
print("health-check state machine ->", execution.status, execution.output)
assert execution.status == "SUCCEEDED", execution"""),
        md("""
## Roll back
Deploy the previous commit of `infra/` (Pulumi converges to it). A failed deploy leaves the state as
far as it got and releases its lock; if a killed deploy left the lock, see notebook 06."""),
    ]


def nb_06() -> list[nbformat.NotebookNode]:
    return [
        md("""
# 06 · Cancel a stuck lock

## Objective
A deploy killed mid-update leaves its lock in the state bucket and every later deploy refuses to
start. List the stack's locks (owner, host, pid, age) and remove a stale one. `dry_run=True` by
default; removal needs `confirm=True` and a lock older than the threshold (or `force=True`). The
stack's checkpoint is never touched."""),
        md("""
## Prerequisites
- Notebook 03 (the state bucket).
- **Make sure no deploy for this stack is running** (CI: the deploy workflow's runs; people: ask). A
  lock younger than the threshold most likely belongs to a running update."""),
        params(f"""
{COMMON_TARGET}
dry_run: bool = True  # True: list and decide, remove nothing
confirm: bool = False  # must be True to remove a lock
threshold_minutes: int = 60  # only locks older than this are stale
force: bool = False  # True: remove even younger locks (only when you are sure no update runs)"""),
        code(f"""
from datetime import timedelta

from runbooks import cancel_stuck_lock, parameters, pulumi_state_bucket
from runbooks import target as targets

{CHECK}
s3 = targets.resolve(target, profile, region).client("s3")
bucket = pulumi_state_bucket.bucket_name(pulumi_state_bucket.env_of_stack(stack))
threshold = timedelta(minutes=threshold_minutes)
checkpoint_before = cancel_stuck_lock.checkpoint_fingerprint(s3, bucket, stack)"""),
        md("""
## Steps
### 1. List the locks
Takes the stack; produces its locks, oldest first."""),
        code("""
print(cancel_stuck_lock.locks_table(cancel_stuck_lock.list_locks(s3, bucket, stack)))"""),
        md("""
### 2. Remove the stale ones
Takes `dry_run`, `confirm`, the threshold and `force`; produces the decision for each lock and the
locks removed."""),
        code("""
result = cancel_stuck_lock.cancel(
    s3, bucket, stack, threshold=threshold, force=force, dry_run=dry_run, confirm=confirm
)
print(cancel_stuck_lock.describe(result))"""),
        md("""
## Verify
The checkpoint is exactly as before; after a removal no stale lock is left, so a deploy can proceed
(notebook 05)."""),
        code("""
assert cancel_stuck_lock.checkpoint_fingerprint(s3, bucket, stack) == checkpoint_before
left = cancel_stuck_lock.list_locks(s3, bucket, stack)
if not dry_run:
    assert not any(d.remove for d in cancel_stuck_lock.decide(left, result.now, threshold, force=force))
print("checkpoint untouched; locks left:", len(left))"""),
        md("""
## Roll back
A removed lock is not restored (the bucket is versioned: its previous version can be read back for
the record). If an update was in fact still running, let it finish, then run `pulumi refresh` (or
redeploy locally) to bring the state back in line."""),
    ]


BUILDERS = {
    "00-environment": nb_00,
    "01-aws-sso-profiles": nb_01,
    "02-github-oidc": nb_02,
    "03-pulumi-state-bucket": nb_03,
    "04-pulumi-login-and-stack": nb_04,
    "05-deploy": nb_05,
    "06-cancel-stuck-lock": nb_06,
}


def build(name: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = BUILDERS[name]()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: no churn in diffs
    return nb


def execute_twice(names: list[str]) -> None:
    """Run the notebooks in order twice on a private embedded cloud; keep the second run's outputs."""
    with (
        tempfile.TemporaryDirectory(prefix="runbooks-build-") as tmp,
        demo.private_kernel_environment(Path(tmp)),
    ):
        for round_ in (1, 2):
            for name in names:
                path = NOTEBOOKS_DIR / f"{name}.ipynb"
                nb = nbformat.read(path, as_version=4)
                NotebookClient(
                    nb,
                    kernel_name="python3",
                    timeout=900,
                    resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
                ).execute()
                if round_ == 2:
                    for cell in nb.cells:
                        cell.metadata.pop("execution", None)
                    nbformat.write(nb, path)
                print(f"round {round_}: {name} ok", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--execute", action="store_true", help="run twice on a private embedded cloud, keep outputs"
    )
    parser.add_argument("names", nargs="*", default=list(BUILDERS), help="notebook names (default: all)")
    args = parser.parse_args()
    paths = [NOTEBOOKS_DIR / f"{name}.ipynb" for name in args.names]
    for name, path in zip(args.names, paths, strict=True):
        nbformat.write(build(name), path)
    # The cells follow the repository's ruff style (`make lint` checks notebooks too).
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", *map(str, paths)], check=True)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", *map(str, paths)], check=True)
    if args.execute:
        execute_twice(args.names)


if __name__ == "__main__":
    main()
