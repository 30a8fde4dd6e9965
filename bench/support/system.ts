/**
 * Laurel as the tests run it: DynamoDB Local in memory, the demo org loaded through the API, and
 * requests sent through scripts/local/api.ts `dispatch`, the code path Lambda runs.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { createDynamoClient } from "../../functions/dynamo/client.ts";
import type { RouteSpec } from "../../functions/http/route.ts";
import { demoAdmin, loadDemoOrg } from "../../scripts/demo-data.ts";
import type { JsonAnswer } from "../../scripts/local/api.ts";
import { type DevIssuer, devAuthEnv, loadDevIssuer } from "../../scripts/local/dev-issuer.ts";
import { createTables, startDynamoLocal } from "../../scripts/local/dynamo.ts";
import { installMeter } from "./dynamo-meter.ts";

export type Response = JsonAnswer;

export interface System {
  /** Calls the API as the demo admin (cao-yi, role admin). */
  admin(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Calls the API as this person with these roles (e.g. deng-hua, hr). */
  as(personId: string, roles: string[]): System["admin"];
  /** Sends a request as it arrives (no token added): webhooks sign their own. */
  raw(method: string, url: string, body: string, headers: Record<string, string>): Promise<Response>;
  /** The route with this method and path template, if this version of Laurel has it. */
  route(method: string, path: string): RouteSpec | undefined;
  /** The issuer the API trusts: for a local server's demo sign-in, or a page's token. */
  issuer: DevIssuer;
  stop(): Promise<void>;
}

export async function startSystem(): Promise<System> {
  // Before any handler is imported, so that the handlers' client gets the meter.
  installMeter();
  const dynamo = await startDynamoLocal();
  const suffix = randomUUID().slice(0, 8);
  const tableNames = { ledger: `bench-ledger-${suffix}`, state: `bench-state-${suffix}` };
  const issuer = await loadDevIssuer();
  // The handlers read their environment at module load, as in test/support/env.ts. The org tree
  // keeps Lambda's default 30 s cache (the tests turn it off), so warm reads are measured as in AWS.
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: "local",
    LEDGER_TABLE: tableNames.ledger,
    STATE_TABLE: tableNames.state,
    LOG_LEVEL: "SILENT",
    LAUREL_SECRET_KEY: randomBytes(32).toString("base64"),
    ...devAuthEnv(issuer),
  });
  await createTables(createDynamoClient(), tableNames);

  const { dispatchJson } = await import("../../scripts/local/api.ts");
  const { routes } = await import("../../functions/http/routes.ts");
  const token = await issuer.sign(demoAdmin, ["admin"]);

  const send = (method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<Response> =>
    dispatchJson({ method, url, headers, ...(body === undefined ? {} : { body }) });
  const caller =
    (bearer: string): System["admin"] =>
    (method, url, body, headers = {}) =>
      send(method, url, body === undefined ? undefined : JSON.stringify(body), {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      });
  const admin = caller(token);
  const tokens = new Map<string, string>();
  const as = (personId: string, roles: string[]): System["admin"] => {
    const key = `${personId}:${roles.join(",")}`;
    return async (...args) => {
      if (!tokens.has(key)) tokens.set(key, await issuer.sign(personId, roles));
      return caller(tokens.get(key) as string)(...args);
    };
  };

  await loadDemoOrg(async (method, url, body, key) => admin(method, url, body, key ? { "idempotency-key": key } : {}));

  return {
    admin,
    as,
    raw: (method, url, body, headers) => send(method, url, body, headers),
    route: (method, path) => (Object.values(routes) as RouteSpec[]).find((spec) => spec.method === method && spec.path === path),
    issuer,
    stop: () => dynamo.stop(),
  };
}
