/** The leaderboards context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./batches.ts";
export * from "./boards.ts";
export * from "./indices.ts";
export * from "./leaderboard-service.ts";
export * from "./ports.ts";
