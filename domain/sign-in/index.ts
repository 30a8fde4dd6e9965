/** The sign-in context's public entry: other contexts, functions/ and tests import from here only. */

export * from "./ports.ts";
export * from "./second-factor.ts";
export * from "./sign-in.ts";
