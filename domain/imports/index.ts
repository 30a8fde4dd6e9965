/** The imports context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./import.ts";
export * from "./import-service.ts";
export * from "./ports.ts";
export * from "./records.ts";
export * from "./schemas.ts";
