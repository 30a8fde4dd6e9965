/**
 * The stack in AWS China (Beijing, Ningxia) and with a company's own OpenID Connect issuer,
 * checked on their synthesised templates (cfn-lint for the China regions: cfn-lint.test.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { LaurelStack } from "../../lib/laurel-stack.ts";
import { stageConfig } from "../../lib/stage.ts";
import { writeBuiltPage } from "./built-page.ts";

const withPage = (id: string, config: ReturnType<typeof stageConfig>): LaurelStack => {
  const page = writeBuiltPage(mkdtempSync(join(tmpdir(), "laurel-web-")));
  return new LaurelStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), id, { config, webAssetPath: page });
};

describe("the China stage (prod, aws-cn)", () => {
  let stack: LaurelStack;
  let template: Template;
  let types: string[];

  beforeAll(() => {
    stack = withPage("Laurel-prod-cn", stageConfig("prod", "aws-cn"));
    template = Template.fromStack(stack);
    types = Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
  });

  it("has no user pool, no CloudFront Function and no origin access control, which China does not offer", () => {
    expect(types.filter((type) => type.startsWith("AWS::Cognito::"))).toEqual([]);
    expect(types).not.toContain("AWS::CloudFront::Function");
    expect(types).not.toContain("AWS::CloudFront::OriginAccessControl");
    expect(types).toContain("AWS::CloudFront::CloudFrontOriginAccessIdentity");
  });

  it("serves the page on the ICP-licensed domain given at deploy time, with TLS 1.2 and client-side routes answered with the page", () => {
    template.hasParameter("PageDomainName", { Type: "String" });
    template.hasParameter("PageCertificateId", { Type: "String" });
    template.hasResourceProperties("AWS::CloudFront::Distribution", {
      DistributionConfig: Match.objectLike({
        Aliases: [{ Ref: "PageDomainName" }],
        ViewerCertificate: {
          IamCertificateId: { Ref: "PageCertificateId" },
          SslSupportMethod: "sni-only",
          MinimumProtocolVersion: "TLSv1.2_2021",
        },
        CustomErrorResponses: Match.arrayWith([
          Match.objectLike({ ErrorCode: 403, ResponseCode: 200, ResponsePagePath: "/app/index.html" }),
        ]),
      }),
    });
  });

  it("serves the API only on its ICP-licensed domain, whose token service is the issuer the JWT authorizer trusts", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", { DisableExecuteApiEndpoint: true });
    template.hasResourceProperties("AWS::ApiGatewayV2::DomainName", {
      DomainName: { Ref: "ApiDomainName" },
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: { Ref: "ApiCertificateArn" } })],
    });
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      JwtConfiguration: { Issuer: { "Fn::Join": ["", ["https://", { Ref: "ApiDomainName" }]] }, Audience: ["laurel"] },
    });
  });

  it("lets the page load DingTalk's JSAPI and call only its own API", () => {
    const csp = JSON.stringify(template.findResources("AWS::CloudFront::ResponseHeadersPolicy"));
    expect(csp).toContain("script-src 'self' https://g.alicdn.com");
    expect(csp).not.toContain("cognito");
  });

  it("finds nothing unacknowledged by cdk-nag, and names no partition in any ARN", () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain("arn:aws:");
  });

  it("synthesises with the cdk CLI for a China region, offline and without AWS credentials", () => {
    const out = mkdtempSync(join(tmpdir(), "laurel-synth-cn-"));
    try {
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
      const cdk = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "cdk");
      const args = ["synth", "--quiet", "-c", "stage=prod", "-c", "region=cn-northwest-1", "-o", out];
      const result = spawnSync(cdk, args, { env, encoding: "utf8", timeout: 240_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(readdirSync(out)).toContain("Laurel-prod.template.json");
      expect(readFileSync(join(out, "Laurel-prod.template.json"), "utf8")).not.toContain("AWS::Cognito::");
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});

describe("a stage signing in with the company's own OpenID Connect issuer", () => {
  const issuer = "https://sso.tianma.example.cn/realms/laurel";

  it("has no user pool, and its JWT authorizer trusts that issuer and its audiences", () => {
    const config = {
      ...stageConfig("prod"),
      identity: { kind: "oidc", issuer, audiences: ["laurel-page"], roles: { claim: "groups" } } as const,
    };
    const template = Template.fromStack(
      new LaurelStack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Laurel-oidc", { config }),
    );
    expect(Object.keys(template.findResources("AWS::Cognito::UserPool"))).toEqual([]);
    template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", { JwtConfiguration: { Issuer: issuer, Audience: ["laurel-page"] } });
    template.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: Match.objectLike({ JWT_ISSUER: issuer, OIDC_DISCOVERY: "true", ROLES_CLAIM: "groups" }) },
    });
  });
});
