/**
 * A fake of Cognito user pools' API, as far as Laurel calls it: the AWS JSON 1.1 protocol
 * (`POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`,
 * `application/x-amz-json-1.1` bodies) for `AdminGetUser`, answering the user's
 * `UserMFASettingList`, or `UserNotFoundException` (400) for a user the pool does not hold. Only
 * for tests: never shipped.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeCognito {
  url: string;
  userPoolId: string;
  /** A user of the pool, with the second factors activated for them. */
  addUser(username: string, secondFactors?: string[]): void;
  calls: string[];
  close(): Promise<void>;
}

export async function startFakeCognito(userPoolId = "cn-north-1_Fake0001"): Promise<FakeCognito> {
  const users = new Map<string, string[]>();
  const calls: string[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const action = String(request.headers["x-amz-target"] ?? "").replace("AWSCognitoIdentityProviderService.", "");
    calls.push(action);
    const answer = (status: number, payload: object) => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
      response.end(JSON.stringify(payload));
    };
    const input = JSON.parse(body || "{}") as { UserPoolId?: string; Username?: string };
    if (action !== "AdminGetUser") return answer(400, { __type: "InvalidAction", message: `${action} is not faked` });
    const factors = input.UserPoolId === userPoolId ? users.get(input.Username ?? "") : undefined;
    if (!factors) return answer(400, { __type: "UserNotFoundException", message: "User does not exist." });
    answer(200, {
      Username: input.Username,
      Enabled: true,
      UserStatus: "CONFIRMED",
      UserAttributes: [],
      ...(factors.length ? { UserMFASettingList: factors, PreferredMfaSetting: factors[0] } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    userPoolId,
    addUser: (username, secondFactors = []) => users.set(username, secondFactors),
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
