/** The gates context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./csv.ts";
export * from "./eligibility-service.ts";
export * from "./gate-book.ts";
export * from "./gates.ts";
export * from "./ports.ts";
export * from "./team-overview.ts";
