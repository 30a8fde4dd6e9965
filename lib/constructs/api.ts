/**
 * The HTTP API: one route per RouteSpec (functions/http/routes.ts), each integrated with its area's
 * function; the JWT authorizer of the stage's issuer on every "token" route and none on "public" ones.
 */
import { Duration, type RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  ApiMapping,
  type CfnStage,
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Certificate } from "aws-cdk-lib/aws-certificatemanager";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { Area, RouteSpec } from "../../functions/http/route.ts";
import type { RequestLimits } from "../stage.ts";

export interface ApiProps {
  routes: readonly RouteSpec[];
  functions: Record<Area, IFunction>;
  /** The token issuer and the audiences (app client ids) the authorizer accepts. */
  jwt: { issuer: string; audiences: string[] };
  /**
   * A custom domain that is then the only way in (AWS China serves execute-api only to
   * ICP-licensed names): its name and the ACM certificate for it in the stack's region.
   */
  domain?: { domainName: string; certificateArn: string };
  /** The page's origin, the only one CORS allows. */
  allowedOrigin: string;
  throttle: { api: RequestLimits; writes: RequestLimits };
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

const accessLogFields = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  sourceIp: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  // Cognito's access tokens name the person in username, the other issuers in sub.
  personId: "$context.authorizer.claims.username",
  subject: "$context.authorizer.claims.sub",
};

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly routes: HttpRoute[];
  /** Where clients call the API: the custom domain when there is one, else the stage's URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const domain = props.domain
      ? new DomainName(this, "Domain", {
          domainName: props.domain.domainName,
          certificate: Certificate.fromCertificateArn(this, "Certificate", props.domain.certificateArn),
        })
      : undefined;
    this.httpApi = new HttpApi(this, "HttpApi", {
      description: "Laurel: awards, balances, ledger and directory",
      createDefaultStage: false,
      disableExecuteApiEndpoint: domain !== undefined,
      corsPreflight: {
        allowOrigins: [props.allowedOrigin],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.OPTIONS],
        allowHeaders: ["authorization", "content-type", "idempotency-key"],
        maxAge: Duration.hours(1),
      },
    });

    const authorizer = new HttpJwtAuthorizer("Jwt", props.jwt.issuer, {
      jwtAudience: props.jwt.audiences,
      identitySource: ["$request.header.Authorization"],
    });
    const integrations = new Map<Area, HttpLambdaIntegration>();
    const integrationOf = (area: Area): HttpLambdaIntegration => {
      let integration = integrations.get(area);
      if (!integration) {
        // One invoke permission per area's function, for this API, not one per route: a permission
        // per route made a resource each (the stack nears CloudFormation's 500) and grew the
        // function's resource policy towards its 20 KB limit with every route of its area.
        integration = new HttpLambdaIntegration(`${area}-integration`, props.functions[area], { scopePermissionToRoute: false });
        integrations.set(area, integration);
      }
      return integration;
    };

    this.routes = props.routes.flatMap((spec) => {
      const routes = this.httpApi.addRoutes({
        path: spec.path,
        methods: [HttpMethod[spec.method]],
        integration: integrationOf(spec.area),
        ...(spec.auth === "token" ? { authorizer } : {}),
      });
      if (spec.auth === "public") {
        for (const route of routes) {
          Validations.of(route).acknowledge({
            id: "AwsSolutions-APIG4",
            reason: /^\/(scim|integrations)\//.test(spec.path)
              ? `${spec.method} ${spec.path} carries its caller's own credential (a provisioning bearer token, or DingTalk's signature and encryption), which the function checks (${spec.summary}).`
              : `${spec.method} ${spec.path} is public by design (${spec.summary}); it reads no personal data.`,
          });
        }
      }
      return routes;
    });

    // Whatever no route takes goes to the public function: a known path asked with a method it
    // does not take is 405 with Allow, anything else a 404 problem (functions/http/http.ts). One
    // route for all: an ANY route per path took a resource each, and a stack holds at most 500.
    const fallback = new HttpRoute(this, "Fallback", {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationOf("public"),
    });
    Validations.of(fallback).acknowledge({
      id: "AwsSolutions-APIG4",
      reason: "$default only answers 405 Method Not Allowed (with the methods a known path takes) or 404; it reads nothing.",
    });

    const accessLogs = new LogGroup(this, "AccessLogs", { retention: props.logRetention, removalPolicy: props.logRemovalPolicy });
    this.stage = this.httpApi.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.api.rate, burstLimit: props.throttle.api.burst },
      // Route-level metrics (ApiId, Stage, Route), which Operations' route group alarms read.
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });

    // Writes move coins and points: a runaway client should hit the limit long before the ledger
    // fills with junk. The route keys must exist before the stage refers to them. RouteSettings
    // is raw JSON to CDK, so its keys are written as CloudFormation spells them; a route's
    // settings replace the defaults rather than add to them, hence detailed metrics again.
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      props.routes
        .filter((spec) => spec.method !== "GET")
        .map((spec) => [
          `${spec.method} ${spec.path}`,
          {
            ThrottlingRateLimit: props.throttle.writes.rate,
            ThrottlingBurstLimit: props.throttle.writes.burst,
            DetailedMetricsEnabled: true,
          },
        ]),
    );
    for (const route of this.routes) cfnStage.node.addDependency(route);
    if (domain) new ApiMapping(this, "DomainMapping", { api: this.httpApi, domainName: domain, stage: this.stage });
    this.url = domain ? `https://${props.domain?.domainName}/` : this.stage.url;
  }
}
