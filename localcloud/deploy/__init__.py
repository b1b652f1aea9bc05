"""The local deploy engine: a Pulumi program deployed to the embedded cloud without the Pulumi CLI.

The program runs under the Pulumi SDK's mock runtime; a local provider creates each resource in the
embedded cloud with boto3 and returns its real id and outputs. State and locks live in the stack's
state bucket as Pulumi's S3 backend keeps them. Public API::

    deploy(stack, program_dir=INFRA_DIR, *, endpoints=None, passphrase=None, state_bucket=None,
           progress=print, preview=False) -> DeployResult   # .outputs .counts .resources .seconds
    outputs(stack, program_dir=INFRA_DIR, *, endpoints=None, passphrase=None, state_bucket=None) -> dict
    destroy(stack, program_dir=INFRA_DIR, *, endpoints=None, passphrase=None, state_bucket=None,
            progress=print) -> DeployResult

The passphrase defaults to PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE (deploy and destroy
always need it; outputs only when a stack output is secret). Errors: ``StateBucketMissing`` (run
notebook 03), ``CheckpointUnreadable`` (the state object is damaged: nothing is changed), ``LockHeld``
(another deploy; notebook 06 for a stale lock), ``UnsupportedResourceType``, ``DeployError`` (anything
else; what was done is saved).
"""

from infra.state_layout import state_bucket_name
from localcloud.deploy.backend import CheckpointUnreadable, LockHeld, StateBucketMissing
from localcloud.deploy.engine import DeployError, DeployResult, deploy, destroy, outputs
from localcloud.deploy.handlers import UnsupportedResourceType

__all__ = [
    "CheckpointUnreadable",
    "DeployError",
    "DeployResult",
    "LockHeld",
    "StateBucketMissing",
    "UnsupportedResourceType",
    "deploy",
    "destroy",
    "outputs",
    "state_bucket_name",
]
