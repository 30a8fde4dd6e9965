/**
 * Privileged roles only with a second factor, in Cognito mode: the pre token generation trigger
 * (the bundle Lambda runs, or its source) against a fake of Cognito's API. The groups it leaves
 * in the token are the roles the API then grants (functions/http/auth.ts reads `cognito:groups`).
 */
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { afterAll, describe, expect, it } from "vitest";
import { lambdaContext, loadHandler } from "../../scripts/local/lambda.ts";
import { startFakeCognito } from "./cognito-fake.ts";

const cognito = await startFakeCognito();
afterAll(() => cognito.close());
Object.assign(process.env, { COGNITO_ENDPOINT: cognito.url, AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
const handler =
  await loadHandler<(event: PreTokenGenerationTriggerEvent, context: unknown) => Promise<PreTokenGenerationTriggerEvent>>("second-factor");

cognito.addUser("liu-yang");
cognito.addUser("cao-yi", ["SOFTWARE_TOKEN_MFA"]);
cognito.addUser("zhou-min");

/** The token Cognito would issue after the trigger: the groups it carries. */
async function tokenGroups(username: string, groups: string[]): Promise<string[]> {
  const event = {
    version: "1",
    triggerSource: "TokenGeneration_HostedAuth",
    region: "local",
    userPoolId: cognito.userPoolId,
    userName: username,
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "page" },
    request: { userAttributes: { sub: "0000" }, groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] } },
    response: { claimsOverrideDetails: {} },
  } as unknown as PreTokenGenerationTriggerEvent;
  const answered = await handler(event, lambdaContext("second-factor"));
  return answered.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride ?? groups;
}

describe("privileged roles only with a second factor", () => {
  it("gives a manager their token without asking Cognito anything", async () => {
    const before = cognito.calls.length;
    expect(await tokenGroups("liu-yang", ["manager"])).toEqual(["manager"]);
    expect(cognito.calls.length).toBe(before);
  });

  it("keeps admin and approver in the token of a user with TOTP activated", async () => {
    expect(await tokenGroups("cao-yi", ["manager", "admin", "approver"])).toEqual(["manager", "admin", "approver"]);
  });

  it("leaves admin, finance and approver out of the token of a user without a second factor, and keeps their other roles", async () => {
    expect(await tokenGroups("zhou-min", ["manager", "finance", "hr", "approver", "admin"])).toEqual(["manager", "hr"]);
    expect(cognito.calls.at(-1)).toBe("AdminGetUser");
  });

  it("fails the sign-in, rather than grant a role unchecked, when Cognito cannot say", async () => {
    await expect(tokenGroups("someone-else", ["admin"])).rejects.toThrow("User does not exist");
  });
});
