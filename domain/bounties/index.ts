/** The bounties context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./bounty.ts";
export * from "./bounty-service.ts";
export * from "./ports.ts";
export * from "./schemas.ts";
