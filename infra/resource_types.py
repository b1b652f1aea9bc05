"""The exact Pulumi type tokens the program creates, for the local deploy engine (which must create each
in the embedded cloud) and for the unit test that holds the program to this list.

Notes for the engine:
- ``depends_on`` is used: bucket policy after the public-access block; functions and the stream
  mapping after their role policy; state machines after their role policy; the HTTP stage after the
  routes; the WebSocket deployment after the routes.
- ``aws:lambda/function:Function`` and ``aws:lambda/layerVersion:LayerVersion`` get their code as a
  ``pulumi.FileArchive`` (a zip already built under ``build/``) plus ``sourceCodeHash`` (base64
  SHA-256 of that zip): an unchanged hash means unchanged code. The Chromium layer (not in the local
  stack) comes from ``s3Bucket``/``s3Key`` instead.
- Functions set ``loggingConfig.logGroup`` to their own log group.
- Data source calls: ``aws:index/getCallerIdentity:getCallerIdentity`` (account id, for the search
  domain's access policy). Availability zones and region come from config, not from calls.
"""

from __future__ import annotations

USED_TYPES: frozenset[str] = frozenset(
    {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/eip:Eip",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:cognito/userPool:UserPool",
        "aws:cognito/userPoolClient:UserPoolClient",
        "aws:dynamodb/table:Table",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:opensearch/domain:Domain",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:lambda/function:Function",
        "aws:lambda/layerVersion:LayerVersion",
        "aws:lambda/permission:Permission",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:sfn/stateMachine:StateMachine",
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/integration:Integration",
        "aws:apigatewayv2/route:Route",
        "aws:apigatewayv2/authorizer:Authorizer",
        "aws:apigatewayv2/stage:Stage",
        # Not in the first list: a WebSocket stage does not deploy itself (HTTP stages auto-deploy).
        "aws:apigatewayv2/deployment:Deployment",
    }
)

# The program's own component types (no cloud resource behind them; the engine only records them).
COMPONENT_TYPES: frozenset[str] = frozenset(
    {
        "sesha:infra:Network",
        "sesha:infra:Auth",
        "sesha:infra:Data",
        "sesha:infra:Layers",
        "sesha:infra:FunctionRoles",
        "sesha:infra:Search",
        "sesha:infra:Functions",
        "sesha:infra:WebSocketApi",
        "sesha:infra:Workflow",
        "sesha:infra:HttpApi",
    }
)

USED_CALLS: frozenset[str] = frozenset({"aws:index/getCallerIdentity:getCallerIdentity"})
