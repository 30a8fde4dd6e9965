import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * The JSON Canonicalization Scheme (RFC 8785, JCS) of a value: the basis of the hash chain and of
 * idempotency fingerprints. On every value the ledger can hold it is byte for byte the form the
 * chain was hashed with before it had a name (keys sorted by UTF-16 code units, numbers and
 * strings as ECMAScript writes them), so chains written before verify unchanged and need no
 * scheme version (test/kernel/canonical.test.ts). What JSON cannot say is refused rather than
 * written in a form that collides with something else.
 */
export function canonicalJson(value: unknown): string {
  assertJson(value);
  return canonicalize(value) as string;
}

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

export const fingerprint = (value: unknown): string => sha256Hex(canonicalJson(value));

/**
 * Throws naming the first part of a value that is not JSON: `undefined` (but as an object's
 * member, which JSON.stringify and JCS read as absent: how an optional field is left out), a
 * function, a symbol, a bigint, a number that is not finite, a string with a lone surrogate, or
 * an object that is not plain (a Date, a Map, a class instance: JCS would write it through
 * `toJSON` or as `{}`). Iterative, so a deep value cannot overflow the stack.
 */
export function assertJson(value: unknown): void {
  const seen = new Set<object>();
  const pending: Array<{ node: unknown; path: string }> = [{ node: value, path: "$" }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, path } = next;
    const problem = primitiveProblem(node);
    if (problem) throw new Error(`Not JSON at ${path}: ${problem}.`);
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        pending.push({ node: child, path: `${path}[${index}]` });
      });
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (!key.isWellFormed()) throw new Error(`Not JSON at ${path}: a key with a lone surrogate.`);
      if (child !== undefined) pending.push({ node: child, path: `${path}.${key}` });
    }
  }
}

function primitiveProblem(node: unknown): string | undefined {
  switch (typeof node) {
    case "string":
      return node.isWellFormed() ? undefined : "a string with a lone surrogate";
    case "number":
      return Number.isFinite(node) ? undefined : `the number ${node}`;
    case "boolean":
      return undefined;
    case "object": {
      if (node === null || Array.isArray(node)) return undefined;
      const prototype = Object.getPrototypeOf(node);
      return prototype === Object.prototype || prototype === null ? undefined : `a ${prototype?.constructor?.name ?? "non-plain"} object`;
    }
    default:
      return `a value of type ${typeof node}`;
  }
}
