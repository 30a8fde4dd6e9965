/** The notifications context's public entry: other contexts, functions/ and tests import from here only. */
export * from "./approver-notices.ts";
export * from "./channels.ts";
export * from "./delivery.ts";
export * from "./gate-notices.ts";
export * from "./messages.ts";
export * from "./notices.ts";
export * from "./notification-service.ts";
export * from "./outbox-writer.ts";
export * from "./ports.ts";
export * from "./preferences.ts";
