/**
 * One Laurel deployment (a stage): tables, one function per area, sign-in, the HTTP API, the
 * page and the alarms. Environment-agnostic, so it synthesises without AWS credentials.
 */
import { join } from "node:path";
import { CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { tables } from "../functions/dynamo/tables.ts";
import { type Area, areas } from "../functions/http/route.ts";
import { routes } from "../functions/http/routes.ts";
import { areaAccess, grantAuditAppend, grantSelfInvocation, grantState, grantTable, ledgerActions } from "./access.ts";
import { Api } from "./constructs/api.ts";
import { Backup } from "./constructs/backup.ts";
import { BountySweeper } from "./constructs/bounty-sweeper.ts";
import { LaurelFunction } from "./constructs/laurel-function.ts";
import { LedgerTables } from "./constructs/ledger-tables.ts";
import { Notifications } from "./constructs/notifications.ts";
import { Operations } from "./constructs/operations.ts";
import { Projector } from "./constructs/projector.ts";
import { Verifier } from "./constructs/verifier.ts";
import { Web } from "./constructs/web.ts";
import { type ChinaDomains, chinaDomains, pageOrigins, type TrustedIssuer, trustedIssuer } from "./sign-in.ts";
import type { StageConfig } from "./stage.ts";

export const repoRoot = join(import.meta.dirname, "..");

export interface LaurelStackProps extends StackProps {
  config: StageConfig;
  /** The built page (web/dist); without it the page's bucket and distribution stay empty. */
  webAssetPath?: string;
}

export class LaurelStack extends Stack {
  readonly tables: LedgerTables;
  readonly functions: Record<Area, LaurelFunction>;
  readonly signIn: TrustedIssuer;
  /** AWS China only: the ICP-licensed domain names, CloudFormation parameters. */
  readonly china: ChinaDomains | undefined;
  readonly api: Api;
  readonly web: Web;
  readonly operations: Operations;
  readonly projector: Projector;
  readonly verifier: Verifier;
  readonly bountySweeper: BountySweeper;
  readonly notifications: Notifications;
  readonly backup: Backup;

  constructor(scope: Construct, id: string, props: LaurelStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.tables = new LedgerTables(this, "Tables", {
      stateRemovalPolicy: config.removalPolicy,
      ...(config.tableNames ? { names: config.tableNames } : {}),
    });
    this.backup = new Backup(this, "Backup", { stage: config.stage, tables: Object.values(this.tables.tables), ...config.backup });
    this.china = config.partition === "aws-cn" ? chinaDomains(this) : undefined;
    const apiDomainName = this.china?.api.domainName;
    // The page's sign-in origins are known before the pool exists; the pool needs the page's URL.
    const issuerOrigins = pageOrigins(this, config, apiDomainName);
    this.web = new Web(this, "Web", {
      removalPolicy: config.removalPolicy,
      logRetention: config.logRetention,
      connectTo: issuerOrigins.connectTo,
      scriptsFrom: issuerOrigins.scriptsFrom,
      ...(props.webAssetPath ? { assetPath: props.webAssetPath } : {}),
      ...(this.china ? { china: this.china.page } : {}),
    });
    this.signIn = trustedIssuer(this, config, {
      pageUrl: this.web.pageUrl,
      removalPolicy: config.removalPolicy,
      repoRoot,
      logRetention: config.logRetention,
      ...(apiDomainName ? { apiDomainName } : {}),
    });

    const environment = {
      ...Object.fromEntries(Object.values(tables).map((spec) => [spec.envVar, this.tables.tables[spec.name].tableName])),
      ...this.signIn.environment,
      FOUR_EYES_KINDS: config.fourEyes.kinds.join(","),
      ...(config.fourEyes.ruleAwardAbove === undefined ? {} : { FOUR_EYES_RULE_AWARD_ABOVE: String(config.fourEyes.ruleAwardAbove) }),
      INTEGRITY: JSON.stringify(config.integrity),
    };
    // Seals the sources' webhook signing secrets (AES-256-GCM, key derived from this value) before
    // they are stored in the state table: one secret for all sources, read with caching.
    const sourceKey = new Secret(this, "SourceSecretKey", {
      description: `Laurel ${config.stage}: the key that seals webhook signing secrets`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    Validations.of(sourceKey).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "An encryption key ring for stored signing secrets: rotating it means adding a key and re-sealing every source's secrets (npm run reseal, docs/OPERATIONS.md), an operator procedure, not a Lambda rotation.",
    });
    const tokenService = this.signIn.tokenService;
    // The company's DingTalk internal app, one per stage: sign-in, the org sync and work
    // notifications all speak to DingTalk as this app (functions/dingtalk/openapi-client.ts).
    const dingTalkApp = new Secret(this, "DingTalkApp", {
      description: `Laurel ${config.stage}: the DingTalk internal app, as {"appKey","appSecret"} and, for the org sync, "callbackToken","aesKey" (set by an operator, docs/DEPLOY.md)`,
      removalPolicy: config.removalPolicy,
    });
    Validations.of(dingTalkApp).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "DingTalk issues the AppSecret and the callback's keys: they are reset in DingTalk's developer console and pasted here (docs/DEPLOY.md), which no rotation Lambda can do.",
    });
    const dingTalkRootUnit = this.node.tryGetContext("dingTalkRootUnit") as string | undefined;
    // Seeds the keys that sign badge credentials (ES256, functions/secrets/badge-signer.ts): a key
    // ring like the sealing key's, whose public halves the API publishes as a JWK Set.
    const badgeKey = new Secret(this, "BadgeSigningKey", {
      description: `Laurel ${config.stage}: the key ring that signs badge credentials`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: config.removalPolicy,
    });
    Validations.of(badgeKey).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "A signing key ring whose public keys verifiers fetch: rotating it means adding a key and making it current while the old one stays published (docs/OPERATIONS.md), an operator procedure, not a Lambda rotation.",
    });
    const functions = new Construct(this, "Functions");
    this.functions = Object.fromEntries(
      areas.map((area) => {
        const fn = new LaurelFunction(functions, area, {
          entry: join(repoRoot, "functions", "api", `${area}.ts`),
          description: `Laurel ${config.stage}: the ${area} routes`,
          environment: {
            ...environment,
            ...(areaAccess[area].sourceKey ? { SECRET_KEY_ARN: sourceKey.secretArn } : {}),
            ...(areaAccess[area].tokenService ? this.#tokenServiceEnvironment() : {}),
            ...(areaAccess[area].badgeKey ? { BADGE_KEY_ARN: badgeKey.secretArn } : {}),
            ...(areaAccess[area].dingTalkApp ? { DINGTALK_APP_SECRET_ARN: dingTalkApp.secretArn } : {}),
            ...(areaAccess[area].dingTalkApp && dingTalkRootUnit ? { DINGTALK_ROOT_UNIT: dingTalkRootUnit } : {}),
          },
          logRetention: config.logRetention,
          logRemovalPolicy: config.removalPolicy,
          // Backtest jobs run in the function that starts them, for minutes (API Gateway ends a request at 30 s anyway).
          ...(areaAccess[area].invokesItself ? { timeout: Duration.minutes(5) } : {}),
        });
        grantTable(fn.role, this.tables.tables.ledger, tables.ledger, ledgerActions[areaAccess[area].ledger]);
        grantState(fn.role, this.tables.tables.state, tables.state, areaAccess[area].state);
        if (areaAccess[area].sourceKey) sourceKey.grantRead(fn.role);
        if (areaAccess[area].tokenService && tokenService) {
          tokenService.signingKeys.grantRead(fn.role);
          tokenService.wecomApp.grantRead(fn.role);
        }
        if (areaAccess[area].dingTalkApp) dingTalkApp.grantRead(fn.role);
        if (areaAccess[area].badgeKey) badgeKey.grantRead(fn.role);
        if (areaAccess[area].audit) grantAuditAppend(fn.role, this.tables.tables.ledger);
        if (areaAccess[area].invokesItself) grantSelfInvocation(fn);
        return [area, fn];
      }),
    ) as Record<Area, LaurelFunction>;

    // The stream and scheduled functions: the same tables, environment and logs as the areas'.
    const background = {
      stage: config.stage,
      repoRoot,
      ledger: this.tables.tables.ledger,
      state: this.tables.tables.state,
      environment,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
    };
    this.projector = new Projector(this, "Projector", background);

    this.verifier = new Verifier(this, "Verifier", background);

    this.bountySweeper = new BountySweeper(this, "BountySweeper", background);

    this.notifications = new Notifications(this, "Notifications", { ...background, sealingKey: sourceKey, dingTalkApp });
    // Replaying a dead letter queues its delivery again.
    this.functions.notifications.function.addEnvironment("DELIVERY_QUEUE_URL", this.notifications.queue.queueUrl);
    this.notifications.queue.grantSendMessages(this.functions.notifications.role);

    this.api = new Api(this, "Api", {
      routes: Object.values(routes),
      functions: Object.fromEntries(areas.map((area) => [area, this.functions[area].function])) as Record<Area, LaurelFunction["function"]>,
      jwt: { issuer: this.signIn.issuer, audiences: this.signIn.audiences },
      ...(this.china ? { domain: this.china.api } : {}),
      allowedOrigin: this.web.origin,
      throttle: config.throttle,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
    });

    if (props.webAssetPath) {
      this.web.deploy({
        apiUrl: this.api.url,
        ...this.signIn.page,
      });
    }

    this.operations = new Operations(this, "Operations", {
      stage: config.stage,
      apiStage: this.api.stage,
      routes: Object.values(routes),
      functions: {
        ...Object.fromEntries(areas.map((area) => [area, this.functions[area].function])),
        projector: this.projector.function.function,
        verifier: this.verifier.function.function,
        "bounty-sweeper": this.bountySweeper.function.function,
        notifier: this.notifications.notifier.function,
        deliverer: this.notifications.deliverer.function,
        ...(this.signIn.cognito ? { "second-factor": this.signIn.cognito.secondFactor.function } : {}),
      },
      streamConsumers: [
        { name: "projector", function: this.projector.function.function, deadLetterQueue: this.projector.deadLetterQueue },
        {
          name: "notifier",
          function: this.notifications.notifier.function,
          deadLetterQueue: this.notifications.streamDeadLetters,
          level: "notifications",
        },
      ],
      deadLetterQueues: [{ name: "deliveries", queue: this.notifications.queueDeadLetters, level: "notifications" }],
      scheduledJobs: [
        { name: "verifier", function: this.verifier.function.function, every: this.verifier.every, level: "ledger-verified" },
      ],
      tables: this.tables.tables,
    });

    new CfnOutput(this, "ApiUrl", { value: this.api.url });
    new CfnOutput(this, "PageUrl", { value: this.web.pageUrl });
    new CfnOutput(this, "AlarmTopicArn", { value: this.operations.topic.topicArn, description: "Subscribe on-call here" });
    new CfnOutput(this, "TokenIssuer", { value: this.signIn.issuer, description: "The issuer the API's JWT authorizer trusts" });
    const cognito = this.signIn.cognito;
    if (cognito) {
      new CfnOutput(this, "UserPoolId", { value: cognito.userPool.userPoolId });
      new CfnOutput(this, "UserPoolClientId", { value: cognito.client.userPoolClientId });
      new CfnOutput(this, "SignInDomain", { value: cognito.domain.baseUrl() });
    }
  }

  /** Where the token service finds its issuer and secrets; nothing where the stage does not run it. */
  #tokenServiceEnvironment(): Record<string, string> {
    const secrets = this.signIn.tokenService;
    if (!secrets) return {};
    return {
      TOKEN_ISSUER: this.signIn.issuer,
      TOKEN_SIGNING_KEYS_SECRET_ARN: secrets.signingKeys.secretArn,
      WECOM_APP_SECRET_ARN: secrets.wecomApp.secretArn,
    };
  }
}
