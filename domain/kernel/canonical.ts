import { createHash } from "node:crypto";

/**
 * JSON with keys sorted at every depth, so that equal values always hash equally: the basis of
 * the hash chain and of idempotency fingerprints.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${fields.join(",")}}`;
}

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

export const fingerprint = (value: unknown): string => sha256Hex(canonicalJson(value));
