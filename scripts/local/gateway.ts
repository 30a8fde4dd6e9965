/**
 * What API Gateway (HTTP API) answers itself, before or instead of a Lambda: its JWT authorizer's
 * refusal, its throttling, its payload limits and its unknown route. Clients in AWS get these
 * bodies, not Laurel's problem details, so the local server answers them the same way
 * (docs/INTEGRATION.md lists them with their sources).
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { authConfigFromEnv, verifiedBy } from "../../functions/http/auth.ts";

/** API Gateway's own answer: `{"message": …}` as application/json. */
export const gatewayAnswer = (
  status: number,
  message: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify({ message }),
});

/** An HTTP API's payload quota; a longer body never reaches the function. */
export const gatewayMaxBodyBytes = 10 * 1024 * 1024;
/** Lambda's synchronous invocation payload quota: the event, body included, must fit. */
export const lambdaMaxEventBytes = 6 * 1024 * 1024;

export const tooManyRequests = () => gatewayAnswer(429, "Too Many Requests");
export const integrationFailed = () => gatewayAnswer(500, "Internal Server Error");
export const eventTooLarge = () => gatewayAnswer(413, "Request Too Long");
export const bodyOverQuota = (): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 413,
  headers: { "content-type": "text/plain; charset=utf-8" },
  body: `HTTP content length exceeded ${gatewayMaxBodyBytes} bytes.`,
});

/** The one refusal text AWS documents; every other refusal names the scheme only. */
const wrongAudience = 'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"';
const unauthorized = (challenge: string) => gatewayAnswer(401, "Unauthorized", { "www-authenticate": challenge });

let config: ReturnType<typeof authConfigFromEnv> | undefined;

/**
 * The JWT authorizer of every "token" route (lib/constructs/api.ts): a bearer token signed by the
 * issuer's keys, not expired nor early, whose `aud` (or, only when there is no `aud`, `client_id`)
 * is the app client. Undefined when it lets the request through to the function.
 */
export async function authorizerRefusal(authorization: string | undefined): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  config ??= authConfigFromEnv();
  const token = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return unauthorized("Bearer");
  let verified: Awaited<ReturnType<typeof verifiedBy>>;
  try {
    verified = await verifiedBy(token, config.issuers);
  } catch {
    return unauthorized("Bearer");
  }
  const audiences = [verified.payload.aud ?? verified.payload.client_id].flat();
  return audiences.some((a) => typeof a === "string" && verified.trusted.audiences.includes(a)) ? undefined : unauthorized(wrongAudience);
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * API Gateway's throttling: a token bucket per route, `burst` deep, refilled at `rate` a second;
 * a request that finds it empty is answered 429 and never reaches the function.
 */
export class Throttle {
  private readonly buckets = new Map<string, Bucket>();
  private readonly limitsOf: (routeKey: string) => { rate: number; burst: number };

  constructor(limitsOf: (routeKey: string) => { rate: number; burst: number }) {
    this.limitsOf = limitsOf;
  }

  admits(routeKey: string, now = performance.now()): boolean {
    const { rate, burst } = this.limitsOf(routeKey);
    const bucket = this.buckets.get(routeKey) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(routeKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
