/**
 * Standard Webhooks (standardwebhooks.com): HMAC-SHA256 over `id.timestamp.body` with a
 * `whsec_`-prefixed secret, signatures as space-separated `v1,<base64>`, timestamps within five
 * minutes of now. A request that fails any of this is refused before its body is read further.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { UnauthenticatedError, webhookChallenge } from "../kernel/errors.ts";

export const secretPrefix = "whsec_";
export const toleranceSeconds = 5 * 60;

export interface SignatureHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export const generateSecret = (): string => `${secretPrefix}${randomBytes(32).toString("base64")}`;

const keyOf = (secret: string) => Buffer.from(secret.slice(secretPrefix.length), "base64");

export function sign(secret: string, id: string, timestamp: number, body: Buffer | string): string {
  return `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest("base64")}`;
}

const refuse = (detail: string) => new UnauthenticatedError(detail, { challenge: webhookChallenge });

/** Passes when any `v1` signature matches any of the source's valid secrets (rotation overlap). */
export function verifySignature(headers: SignatureHeaders, body: Buffer, secrets: readonly string[], now: Date): void {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) throw refuse("Send the webhook-id, webhook-timestamp and webhook-signature headers.");
  if (!/^[0-9]{1,12}$/.test(timestamp)) throw refuse("webhook-timestamp must be Unix seconds.");
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > toleranceSeconds) throw refuse("webhook-timestamp is more than 5 minutes away from now; sign with a fresh timestamp.");
  const given = signature
    .split(" ")
    .filter((part) => part.startsWith("v1,"))
    .map((part) => Buffer.from(part.slice(3), "base64"));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, id, Number(timestamp), body).slice(3), "base64");
    if (given.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return;
  }
  throw refuse("No webhook-signature matches a current secret of this source.");
}
