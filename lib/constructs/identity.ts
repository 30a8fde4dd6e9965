/**
 * Sign-in: a Cognito user pool whose usernames are person ids, one group per role, and the
 * page's public client (authorisation code flow; the page adds PKCE, as a client without a
 * secret must).
 */
import { join } from "node:path";
import { Aws, Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolEmail,
  UserPoolOperation,
} from "aws-cdk-lib/aws-cognito";
import { Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { roles } from "../../domain/kernel/model.ts";
import { LaurelFunction } from "./laurel-function.ts";

export interface IdentityProps {
  stage: string;
  threatProtection: boolean;
  removalPolicy: RemovalPolicy;
  /** Where the hosted sign-in may send people back to (the page). */
  callbackUrls: string[];
  repoRoot: string;
  logRetention: RetentionDays;
  /** Invitations through SES from this address (its domain verified in SES in the stack's region). */
  inviteFrom?: string;
}

/** The invitation a new person gets (Chinese first): their username is their person id. */
const invitation = {
  emailSubject: "Laurel 荣誉账本：您的账号 / Your Laurel account",
  emailBody: [
    "您好！您的 Laurel 荣誉账本账号已开通。用户名：{username}，临时密码：{####}（3 天内有效，首次登录时请修改）。",
    "<br><br>",
    "Hello! Your Laurel account is ready. Username: {username}, temporary password: {####} (valid for 3 days; you will set your own when you first sign in).",
  ].join(""),
};

export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** The `iss` of the pool's tokens: https://cognito-idp.<region>.<suffix>/<pool id>. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** The pre token generation trigger: privileged groups only for users with a second factor. */
  readonly secondFactor: LaurelFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, "UserPool", {
      // People are created by an admin with their person id as username (docs/DEPLOY.md).
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      standardAttributes: { email: { required: false, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: invitation,
      ...(props.inviteFrom
        ? {
            email: UserPoolEmail.withSES({
              fromEmail: props.inviteFrom,
              fromName: "Laurel 荣誉账本",
              sesVerifiedDomain: props.inviteFrom.split("@")[1] ?? "",
            }),
          }
        : {}),
      featurePlan: props.threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(props.threatProtection ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: props.removalPolicy !== RemovalPolicy.DESTROY,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason:
        "MFA is optional for managers, who sign in from a chat app's web view on their phone; the admin, finance and approver roles are only put in tokens of users with TOTP activated (the SecondFactor trigger), whom Cognito asks for it at every sign-in.",
    });
    if (!props.threatProtection) {
      Validations.of(this.userPool).acknowledge({
        id: "AwsSolutions-COG8",
        reason: "Dev stage: the Plus plan (threat protection) is billed per active user and is only enabled in prod.",
      });
    }

    this.secondFactor = new LaurelFunction(this, "second-factor", {
      entry: join(props.repoRoot, "functions", "background", "second-factor.ts"),
      description: `Laurel ${props.stage}: privileged roles in tokens only with a second factor`,
      environment: {},
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
      timeout: Duration.seconds(5),
    });
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, this.secondFactor.function);
    // A policy of its own, not the role's default one: the function's default policy would make
    // the pool (which names the function) depend on itself.
    new Policy(this, "ReadsSecondFactors", {
      roles: [this.secondFactor.role],
      statements: [new PolicyStatement({ actions: ["cognito-idp:AdminGetUser"], resources: [this.userPool.userPoolArn] })],
    });

    for (const role of roles) {
      this.userPool.addGroup(`group-${role}`, { groupName: role, description: `Laurel role: ${role}` });
    }

    this.domain = this.userPool.addDomain("Domain", {
      // Prefixes are global per region, hence the account id.
      cognitoDomain: { domainPrefix: `laurel-${props.stage}-${Aws.ACCOUNT_ID}` },
    });

    this.client = this.userPool.addClient("PageClient", {
      generateSecret: false,
      // The page signs in through the hosted UI. ADMIN_USER_PASSWORD_AUTH needs IAM credentials
      // (cognito-idp:AdminInitiateAuth), so only an operator can use it: for the first admin.
      authFlows: { userSrp: true, adminUserPassword: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE, OAuthScope.EMAIL],
        callbackUrls: props.callbackUrls,
        logoutUrls: props.callbackUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }
}
