/** The ledger context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./causes.ts";
export * from "./holds.ts";
export * from "./idempotency.ts";
export * from "./late.ts";
export * from "./ledger.ts";
export * from "./named-people.ts";
export * from "./person-state.ts";
export * from "./ports.ts";
export * from "./verification.ts";
