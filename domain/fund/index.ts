/** The fund context's public entry: other contexts, functions/ and tests import from here only. */

export * from "./fund.ts";
export * from "./fund-service.ts";
export * from "./ports.ts";
export * from "./redemption-service.ts";
export * from "./redemptions.ts";
export * from "./schemas.ts";
