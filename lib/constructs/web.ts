/**
 * The page: a private bucket behind CloudFront, served under /app/ as the local server does,
 * with security headers on every answer. Globally the bucket is reached with origin access
 * control and client-side routes are rewritten by a CloudFront Function; CloudFront in China has
 * neither, so there the bucket is reached with an origin access identity and client-side routes
 * are answered with the page through error responses, on the company's ICP-licensed domain.
 * index.html carries its code inline (allowed by hash) and its stage's configuration, written in
 * at deploy time.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import {
  AllowedMethods,
  type BehaviorOptions,
  type CfnDistribution,
  Function as CloudFrontFunction,
  Distribution,
  type DistributionProps,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, type IBucket, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from "aws-cdk-lib/cx-api";
import { Construct } from "constructs";
import { pageSecurityPolicy, withConfig } from "../page-policy.ts";

export interface WebProps {
  /** The built page (web/dist); its index.html's inline code is what the CSP allows. */
  assetPath?: string;
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
  /** Where the page may send requests besides its own origin (the API, the sign-in provider). */
  connectTo: readonly string[];
  /** Scripts the page may load besides its own: DingTalk's JSAPI where people sign in with DingTalk. */
  scriptsFrom: readonly string[];
  /**
   * AWS China: CloudFront there serves nothing on *.cloudfront.cn and takes no ACM certificate, so
   * the page needs an ICP-licensed domain name and an IAM server certificate for it.
   */
  china?: { domainName: string; iamCertificateId: string };
}

/** The page is served under this prefix, in the bucket and in URLs. */
const prefix = "app";

// aws-cdk-lib's Bucket does not satisfy its own IBucket under exactOptionalPropertyTypes
// (optional properties without `| undefined`); the cast is the only way to hand it on.
const asIBucket = (bucket: Bucket): IBucket => bucket as IBucket;

export class Web extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** https://<distribution domain>: the origin CORS allows. */
  readonly origin: string;
  /** Where the page lives and where sign-in returns to. */
  readonly pageUrl: string;
  readonly #props: WebProps;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    // S3 server access logs are delivered under a bucket policy (logging.s3.amazonaws.com, only
    // from the page bucket) instead of the legacy LogDeliveryWrite ACL that cfn-lint flags (W3045).
    // CDK's new-project default; set here so that the tests' App builds what `cdk deploy` does.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.#props = props;
    const destroyable = { removalPolicy: props.removalPolicy, autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY };

    const logs = new Bucket(this, "AccessLogs", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      ...destroyable,
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the page bucket's and CloudFront's access logs; logging it too would log itself.",
    });

    this.bucket = new Bucket(this, "Bucket", {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      serverAccessLogsBucket: asIBucket(logs),
      serverAccessLogsPrefix: "page-bucket/",
      ...destroyable,
    });

    const index = props.assetPath ? join(props.assetPath, "index.html") : undefined;
    const html = index && existsSync(index) ? readFileSync(index, "utf8") : "";
    const headers = new ResponseHeadersPolicy(this, "SecurityHeaders", {
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: true, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: pageSecurityPolicy(html, {
            connect: props.connectTo,
            script: props.scriptsFrom,
            formAction: props.connectTo.filter((to) => to.includes("amazoncognito")),
          }),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
    });

    const behaviour = {
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      responseHeadersPolicy: headers,
    };
    const logging = { enableLogging: true, logBucket: asIBucket(logs), logFilePrefix: "cloudfront/" };
    this.distribution = props.china
      ? this.#chinaDistribution(behaviour, logging, props.china)
      : new Distribution(this, "Distribution", {
          comment: "Laurel page",
          defaultRootObject: `${prefix}/index.html`,
          defaultBehavior: { ...behaviour, origin: S3BucketOrigin.withOriginAccessControl(asIBucket(this.bucket)) },
          additionalBehaviors: { [`/${prefix}/*`]: this.#spaBehaviour(behaviour) },
          httpVersion: HttpVersion.HTTP2_AND_3,
          ...logging,
        });
    if (!props.china) {
      Validations.of(this.distribution).acknowledge({
        id: "AwsSolutions-CFR4",
        reason:
          "The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum TLS version; a custom domain would allow TLSv1.2_2021.",
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: "AwsSolutions-CFR1",
      reason: "Managers sign in from wherever they work; access is controlled by sign-in, not by country.",
    });
    Validations.of(this.distribution).acknowledge({
      id: "AwsSolutions-CFR2",
      reason:
        "The distribution serves static files only; the API is separate, throttled and behind a JWT authorizer. WAF can be added if abuse appears.",
    });

    this.origin = `https://${props.china?.domainName ?? this.distribution.distributionDomainName}`;
    this.pageUrl = `${this.origin}/${prefix}/`;
  }

  /** The page routes on the client: any /app/ path that is not a file gets the page itself. */
  #spaBehaviour(behaviour: Omit<BehaviorOptions, "origin">): BehaviorOptions {
    const spaFallback = new CloudFrontFunction(this, "SpaFallback", {
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(
        `function handler(event) { var r = event.request; if (!/\\.[A-Za-z0-9]+$/.test(r.uri)) r.uri = "/${prefix}/index.html"; return r; }`,
      ),
    });
    return {
      ...behaviour,
      origin: S3BucketOrigin.withOriginAccessControl(asIBucket(this.bucket)),
      functionAssociations: [{ function: spaFallback, eventType: FunctionEventType.VIEWER_REQUEST }],
    };
  }

  /**
   * Without functions, a client-side route is a missing object (S3 answers 403 to an origin
   * access identity that may not list the bucket), answered with the page and 200.
   */
  #chinaDistribution(
    behaviour: Omit<BehaviorOptions, "origin">,
    logging: Pick<DistributionProps, "enableLogging" | "logBucket" | "logFilePrefix">,
    china: NonNullable<WebProps["china"]>,
  ): Distribution {
    const distribution = new Distribution(this, "Distribution", {
      comment: "Laurel page",
      defaultRootObject: `${prefix}/index.html`,
      defaultBehavior: { ...behaviour, origin: S3BucketOrigin.withOriginAccessIdentity(asIBucket(this.bucket)) },
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: `/${prefix}/index.html`,
        ttl: Duration.minutes(1),
      })),
      httpVersion: HttpVersion.HTTP2,
      ...logging,
    });
    // Distribution takes only ACM certificates with a domain name; China's CloudFront takes IAM ones.
    const cfn = distribution.node.defaultChild as CfnDistribution;
    cfn.addPropertyOverride("DistributionConfig.Aliases", [china.domainName]);
    cfn.addPropertyOverride("DistributionConfig.ViewerCertificate", {
      IamCertificateId: china.iamCertificateId,
      SslSupportMethod: "sni-only",
      MinimumProtocolVersion: "TLSv1.2_2021",
    });
    Validations.of(distribution).acknowledge({
      id: "AwsSolutions-CFR4",
      reason:
        "The viewer certificate is the ICP domain's IAM server certificate with TLSv1.2_2021, set by a property override that cdk-nag does not read (test/infra/china.test.ts checks it).",
    });
    Validations.of(distribution).acknowledge({
      id: "AwsSolutions-CFR7",
      reason: "CloudFront in the China regions has no origin access control; an origin access identity keeps the bucket private instead.",
    });
    return distribution;
  }

  /** Uploads the built page (WebProps.assetPath), its HTML (index.html, shell.html) with the stage's configuration written in. */
  deploy(config: Record<string, string>): BucketDeployment {
    const assetPath = this.#props.assetPath;
    if (!assetPath) throw new Error("Web.deploy needs the built page: WebProps.assetPath");
    const pages = ["index.html", "shell.html"].filter((name) => existsSync(join(assetPath, name)));
    const logGroup = new LogGroup(this, "DeploymentLogs", {
      retention: this.#props.logRetention,
      removalPolicy: this.#props.removalPolicy,
    });
    const role = new Role(this, "DeploymentRole", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
    logGroup.grantWrite(role);
    const deployment = new BucketDeployment(this, "Deployment", {
      // Tokens in the configuration (the API's URL, the sign-in settings) are resolved at deploy time.
      sources: [
        Source.asset(assetPath, { exclude: pages }),
        ...pages.map((name) => Source.data(name, withConfig(readFileSync(join(assetPath, name), "utf8"), config))),
      ],
      destinationBucket: asIBucket(this.bucket),
      destinationKeyPrefix: `${prefix}/`,
      distribution: this.distribution,
      distributionPaths: [`/${prefix}/*`],
      role,
      logGroup,
      memoryLimit: 512,
    });
    const stack = Stack.of(this);
    const pageBucket = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket));
    const deploymentGrants = [
      ["Action::s3:GetBucket*", "read the CDK asset bucket"],
      ["Action::s3:GetObject*", "read the CDK asset bucket"],
      ["Action::s3:List*", "list the asset and page buckets"],
      ["Action::s3:DeleteObject*", "prune old files from the page bucket"],
      ["Action::s3:Abort*", "abort failed uploads to the page bucket"],
      // The default bootstrap's asset bucket.
      [
        `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Token.isUnresolved(stack.region) ? "<AWS::Region>" : stack.region}/*`,
        "read the uploaded page",
      ],
      [`Resource::<${pageBucket}.Arn>/*`, "write every file of the page"],
      ["Resource::*", "create CloudFront invalidations (granted on all distributions by aws-cdk-lib)"],
    ];
    for (const [finding, what] of deploymentGrants) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `BucketDeployment's own grant, needed to ${what}.` });
    }
    // The deployment's handler is a singleton at stack level; aws-cdk-lib picks its runtime.
    const handler = stack.node.children.find((child) => child.node.id.startsWith("Custom::CDKBucketDeployment"));
    if (handler) {
      Validations.of(handler).acknowledge({
        id: "AwsSolutions-L1",
        reason:
          "The runtime of BucketDeployment's handler (Python) is chosen by aws-cdk-lib and moves with it; it runs only at deploy time.",
      });
    }
    return deployment;
  }
}
