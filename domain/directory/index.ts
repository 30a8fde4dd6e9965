/** The directory context's public entry: other contexts, functions/ and tests import from here only. */

export * from "./directory.ts";
export * from "./directory-service.ts";
export * from "./ports.ts";
export * from "./provisioners.ts";
export * from "./schemas.ts";
