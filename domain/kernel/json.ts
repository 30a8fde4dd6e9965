import { DomainError, type InvalidField } from "./errors.ts";

/**
 * What DynamoDB can store of a JSON value, checked before anything is written, so that input it
 * would refuse is the client's 400 and never our 500. Depth leaves room below DynamoDB's 32
 * levels for the item around the value (a definition's body, a proposal's definition); numbers
 * are those the SDK marshals exactly and DynamoDB's range holds; attribute names are non-empty.
 */
export const storageLimits = { depth: 24, keysPerObject: 1_000, keys: 10_000, maxNumber: Number.MAX_SAFE_INTEGER, minMagnitude: 1e-130 };

/** A request body's bytes as JSON: invalid UTF-8 or JSON is the client's mistake, a 400. */
export function parseJson(body: Uint8Array, options: { storable: boolean } = { storable: true }): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new DomainError("invalid", "malformed-json", "The body is not valid UTF-8.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DomainError("invalid", "malformed-json", "The body is not valid JSON.");
  }
  if (options.storable) assertStorable(value, "body");
  return value;
}

type Limit = "too-deep" | "too-many-keys" | "number-out-of-range" | "key-empty" | "lone-surrogate";

const messages: Record<Limit, string> = {
  "too-deep": `nests deeper than ${storageLimits.depth} levels`,
  "too-many-keys": `has more than ${storageLimits.keysPerObject} keys in one object or ${storageLimits.keys} in all`,
  "number-out-of-range": `is a number outside ±${storageLimits.maxNumber} or closer to zero than ${storageLimits.minMagnitude}`,
  "key-empty": "has an empty key",
  // JSON's \uD800 escapes can name half a character, which UTF-8 (DynamoDB's strings) cannot
  // hold and RFC 8785 refuses: stored, it would come back changed and break its entry's hash.
  "lone-surrogate": "has text with a lone surrogate (half of a UTF-16 pair), which is not Unicode",
};

/** The first limit a value breaks, with where; undefined when it can be stored. */
export function storageProblem(value: unknown): { code: Limit; field: InvalidField } | undefined {
  let keys = 0;
  const visit = (node: unknown, path: string[], depth: number): { code: Limit; path: string[] } | undefined => {
    if (typeof node === "number") {
      const magnitude = Math.abs(node);
      const bad = !Number.isFinite(node) || magnitude > storageLimits.maxNumber || (node !== 0 && magnitude < storageLimits.minMagnitude);
      return bad ? { code: "number-out-of-range", path } : undefined;
    }
    if (typeof node === "string") return node.isWellFormed() ? undefined : { code: "lone-surrogate", path };
    if (typeof node !== "object" || node === null) return undefined;
    if (depth > storageLimits.depth) return { code: "too-deep", path };
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    if (!Array.isArray(node)) {
      keys += entries.length;
      if (entries.length > storageLimits.keysPerObject || keys > storageLimits.keys) return { code: "too-many-keys", path };
      if (entries.some(([key]) => key === "")) return { code: "key-empty", path };
      const badKey = entries.find(([key]) => !key.isWellFormed());
      if (badKey) return { code: "lone-surrogate", path: [...path, badKey[0]] };
    }
    for (const [key, child] of entries) {
      const found = visit(child, [...path, key], depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const found = visit(value, [], 1);
  if (!found) return undefined;
  return { code: found.code, field: { path: found.path.join("."), message: messages[found.code] } };
}

/** A 400 naming the limit and where it was broken. */
export function assertStorable(value: unknown, where: string): void {
  const problem = storageProblem(value);
  if (!problem) return;
  const { code, field } = problem;
  throw new DomainError("invalid", code, `The ${where} cannot be stored: ${field.path || "it"} ${field.message}.`, {
    invalidFields: [field],
    limits: storageLimits,
  });
}
