import { DomainError, IdempotencyConflictError } from "../kernel/errors.ts";
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

/**
 * One try of an idempotent write, its refusals checked against the key's record read alone. A try
 * decides from a snapshot read in one BatchGetItem, which a transaction does not isolate as a
 * whole: it can show what an earlier try under the same key wrote (a head moved, a claim decided)
 * without that try's record, and so refuse what the key already did. Read afterwards, the record
 * is there, and the answer is that try's. The extra read is paid on refusals only.
 */
export async function refusalsChecked<T>(
  attempt: () => Promise<Outcome<T>>,
  record: () => Promise<IdempotencyRecord | undefined>,
  expected: string,
  key: string,
): Promise<Outcome<T>> {
  try {
    return await attempt();
  } catch (error) {
    if (!(error instanceof DomainError) || error instanceof IdempotencyConflictError) throw error;
    const settled = replayOf<T>(await record(), expected, key);
    if (settled) return settled;
    throw error;
  }
}
