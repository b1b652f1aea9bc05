"""Sesha backend stack (Pulumi project ``sesha-pulumi``; stacks ``sesha-backend-dev``,
``sesha-backend-prod``, ``local``). Reads ``Pulumi.<stack>.yaml`` and wires the components; it deploys:

- network: VPC over two AZs, public/private subnets, internet gateway, NAT gateway(s), route tables,
  security groups, gateway endpoints for DynamoDB and S3;
- auth: Cognito user pool (password policy) and app client;
- data: DynamoDB tables articles (stream), sources, connections (TTL), idempotency; S3 buckets for
  scraped pages and backups (private, versioned, encrypted, TLS-only);
- layers: dependencies layer, Chromium layer (when a version is configured);
- roles: one execution role per function;
- search: OpenSearch domain in the private subnets;
- functions: the WebSocket handlers and authorizer, the pipeline steps, the stream indexer, health,
  and the articles API function (log groups, least-privilege policies);
- websocket-api: $connect (authorized), $disconnect, subscribe, $default, stage;
- workflow: the article state machine and a health-check state machine;
- http-api: the routes of DESIGN §2 behind a Cognito JWT authorizer (but GET /health), $default stage.
"""

import pulumi
import pulumi_aws as aws

from infra import backend, settings, workflow_definition
from infra.components.auth import Auth, AuthArgs
from infra.components.data import Data, DataArgs
from infra.components.functions import Functions, FunctionsArgs, FunctionSpec, VpcPlacement
from infra.components.http_api import HttpApi, HttpApiArgs
from infra.components.layers import Layers, LayersArgs
from infra.components.network import Network, NetworkArgs
from infra.components.roles import FunctionRoles, FunctionRolesArgs
from infra.components.search import Search, SearchArgs
from infra.components.websocket_api import WebSocketApi, WebSocketApiArgs
from infra.components.workflow import Workflow, WorkflowArgs
from infra.tagging import tag_resources

cfg = settings.load()
tag_resources(cfg.tags)
account_id = aws.get_caller_identity_output().account_id

network = Network(
    "network",
    NetworkArgs(cfg.vpc_cidr, cfg.availability_zones, cfg.nat_gateway_count, region=cfg.region),
)
auth = Auth("auth", AuthArgs(cfg.password_minimum_length, cfg.deletion_protection))
data = Data("data", DataArgs(cfg.deletion_protection))
layers = Layers(
    "layers", LayersArgs(cfg.layer_platform, cfg.lambda_runtime, cfg.environment, cfg.chromium_layer_version)
)
roles = FunctionRoles("roles", FunctionRolesArgs(backend.ALL_FUNCTIONS))
search = Search(
    "search",
    SearchArgs(
        domain_name=f"sesha-{cfg.environment}",
        instance_type=cfg.opensearch_instance_type,
        instance_count=cfg.opensearch_instance_count,
        volume_gib=cfg.opensearch_volume_gib,
        subnet_ids=network.private_subnet_ids,
        security_group_id=network.search_security_group.id,
        client_role_arns=[roles.arn(fn) for fn in backend.SEARCH_CLIENTS],
        region=cfg.region,
        account_id=account_id,
    ),
)

resources = backend.Resources(cfg, data.tables, data.buckets)


def functions_args(specs: list[FunctionSpec]) -> FunctionsArgs:
    return FunctionsArgs(
        specs=specs,
        roles=roles.roles,
        dependencies_layer_arn=layers.dependencies.arn,
        chromium_layer_arn=layers.chromium.arn if layers.chromium else None,
        runtime=cfg.lambda_runtime,
        log_retention_days=cfg.log_retention_days,
        stack=cfg.stack,
        vpc=VpcPlacement(network.private_subnet_ids, network.function_security_group.id),
    )


# Function groups in the order their environment becomes known: the WebSocket handlers, then the API
# that calls them (notify needs its URL), the workers, the state machine, the articles function (starts it).
socket_functions = Functions(
    "socket-functions",
    functions_args(backend.websocket_functions(resources, auth.user_pool.id, auth.client.id, auth.issuer)),
)
websocket_api = WebSocketApi(
    "websocket-api",
    WebSocketApiArgs(
        functions=socket_functions.functions,
        authorizer_function=socket_functions.functions["ws_authorizer"],
        connection_manager_roles={fn: roles.roles[fn] for fn in backend.CONNECTION_MANAGERS},
        stage_name=cfg.websocket_stage,
        throttle_burst=cfg.http_throttle_burst,
        throttle_rate=cfg.http_throttle_rate,
        access_logs=cfg.websocket_access_logs,
        log_retention_days=cfg.log_retention_days,
        stack=cfg.stack,
    ),
)
worker_functions = Functions(
    "worker-functions",
    functions_args(
        backend.worker_functions(resources, search.endpoint, search.domain.arn, websocket_api.management_url)
    ),
)
workflow = Workflow(
    "workflow",
    WorkflowArgs(
        step_function_arns={step: worker_functions.functions[step].arn for step in workflow_definition.STEPS},
        health_function_arn=worker_functions.functions["health"].arn,
        max_concurrency=cfg.map_max_concurrency,
        log_retention_days=cfg.log_retention_days,
        stack=cfg.stack,
    ),
)
api_functions = Functions(
    "api-functions",
    functions_args(
        backend.api_functions(resources, search.endpoint, search.domain.arn, workflow.state_machine.arn)
    ),
)
http_api = HttpApi(
    "http-api",
    HttpApiArgs(
        functions={**worker_functions.functions, **api_functions.functions},
        issuer=auth.issuer,
        audience=auth.client.id,
        throttle_burst=cfg.http_throttle_burst,
        throttle_rate=cfg.http_throttle_rate,
        log_retention_days=cfg.log_retention_days,
        stack=cfg.stack,
    ),
)

pulumi.export("httpApiUrl", http_api.url)
pulumi.export("webSocketUrl", websocket_api.url)
pulumi.export("webSocketManagementUrl", websocket_api.management_url)
pulumi.export("userPoolId", auth.user_pool.id)
pulumi.export("userPoolClientId", auth.client.id)
for table, resource in data.tables.items():
    pulumi.export(f"{table}TableName", resource.name)
for bucket, resource in data.buckets.items():
    pulumi.export(f"{bucket}BucketName", resource.bucket)
pulumi.export("stateMachineArn", workflow.state_machine.arn)
pulumi.export("healthCheckStateMachineArn", workflow.health_check.arn)
pulumi.export("openSearchEndpoint", search.endpoint)
pulumi.export("region", cfg.region)
