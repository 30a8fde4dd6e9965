/** The budgets context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./as-of.ts";
export * from "./budget-service.ts";
export * from "./budgets.ts";
export * from "./ports.ts";
