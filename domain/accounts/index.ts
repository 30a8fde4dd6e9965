/** The accounts context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./account-service.ts";
export * from "./schemas.ts";
