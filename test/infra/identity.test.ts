/**
 * The Cognito user pool as a company onboards people with it: invitations in Chinese first, sent
 * through SES from the company's address where `-c inviteFrom` names one (Cognito's own sender
 * takes 50 a day), synthesised through the CDK app's own context handling.
 */
import { App, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { describe, expect, it } from "vitest";
import { Identity } from "../../lib/constructs/identity.ts";
import { repoRoot } from "../../lib/laurel-stack.ts";

function pool(inviteFrom?: string) {
  const stack = new Stack(new App(), "IdentityTest", { env: { account: "111111111111", region: "ap-southeast-1" } });
  new Identity(stack, "Identity", {
    stage: "prod",
    threatProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    callbackUrls: ["https://laurel.example.com/app/"],
    repoRoot,
    logRetention: RetentionDays.ONE_YEAR,
    ...(inviteFrom ? { inviteFrom } : {}),
  });
  return Object.values(Template.fromStack(stack).findResources("AWS::Cognito::UserPool"))[0]?.Properties;
}

describe("the user pool's invitations", () => {
  it("tell a new person their username and temporary password in Chinese, then English", () => {
    const invite = pool().AdminCreateUserConfig.InviteMessageTemplate;
    expect(invite.EmailSubject).toBe("Laurel 荣誉账本：您的账号 / Your Laurel account");
    expect(invite.EmailMessage.indexOf("用户名：{username}")).toBeLessThan(invite.EmailMessage.indexOf("Username: {username}"));
    expect(invite.EmailMessage).toContain("临时密码：{####}");
  });

  it("go out through SES from the company's address when one is named, and through Cognito's own sender otherwise", () => {
    expect(pool("laurel@tianma.example.cn").EmailConfiguration).toEqual({
      EmailSendingAccount: "DEVELOPER",
      // The display name in Chinese, as a mail header carries it (RFC 2047).
      From: `=?UTF-8?B?${Buffer.from("Laurel 荣誉账本").toString("base64")}?= <laurel@tianma.example.cn>`,
      SourceArn: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":ses:ap-southeast-1:111111111111:identity/tianma.example.cn"]] },
    });
    expect(pool().EmailConfiguration).toBeUndefined();
  });
});
