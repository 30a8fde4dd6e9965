import { IdempotencyConflictError } from "../kernel/errors.ts";
import type { IdempotencyRecord } from "./ports.ts";

/** What an idempotent write answers: its result, and whether this call replayed an earlier one. */
export interface Outcome<T> {
  result: T;
  replayed: boolean;
}

/**
 * The earlier answer to this Idempotency-Key, if there is one: the same request replays it, a
 * different request under the same key is a 409.
 */
export function replayOf<T>(record: IdempotencyRecord | undefined, expected: string, key: string): Outcome<T> | undefined {
  if (!record) return undefined;
  if (record.fingerprint !== expected) throw new IdempotencyConflictError(key);
  return { result: record.result as T, replayed: true };
}
