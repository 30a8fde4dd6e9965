/** The integrity context's public entry (anti-gaming): other contexts, functions/ and tests import from here only. */
export * from "./detectors.ts";
export * from "./integrity-service.ts";
export * from "./observations.ts";
export * from "./ports.ts";
export * from "./reviews.ts";
