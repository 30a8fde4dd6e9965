/** The awards context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./awarding.ts";
export * from "./badges.ts";
export * from "./cloudevents.ts";
export * from "./data-schemas.ts";
export * from "./held-awards.ts";
export * from "./open-badges.ts";
export * from "./ports.ts";
export * from "./rulebook.ts";
export * from "./rules.ts";
export * from "./sources.ts";
export * from "./webhook-service.ts";
export * from "./webhook-signature.ts";
