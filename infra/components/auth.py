"""Auth: the Cognito user pool journalists sign in to (email as user name, password policy) and the
app client the web app and the APIs' JWT authorizer use."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi import ResourceOptions


@dataclass
class AuthArgs:
    password_minimum_length: int
    deletion_protection: bool


class Auth(pulumi.ComponentResource):
    def __init__(self, name: str, args: AuthArgs, opts: ResourceOptions | None = None) -> None:
        super().__init__("sesha:infra:Auth", name, None, opts)
        child = ResourceOptions(parent=self)

        self.user_pool = aws.cognito.UserPool(
            f"{name}-user-pool",
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            password_policy={
                "minimum_length": args.password_minimum_length,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": 3,
            },
            account_recovery_setting={"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            opts=child,
        )
        self.client = aws.cognito.UserPoolClient(
            f"{name}-app-client",
            user_pool_id=self.user_pool.id,
            generate_secret=False,  # a browser app cannot keep a secret
            explicit_auth_flows=[
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            prevent_user_existence_errors="ENABLED",
            supported_identity_providers=["COGNITO"],
            access_token_validity=60,
            id_token_validity=60,
            refresh_token_validity=30,
            token_validity_units={"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"},
            opts=child,
        )
        # The issuer of the pool's tokens: what JWT authorizers check `iss` against.
        self.issuer = pulumi.Output.concat("https://", self.user_pool.endpoint)
        self.register_outputs(
            {"userPoolId": self.user_pool.id, "userPoolClientId": self.client.id, "issuer": self.issuer}
        )
