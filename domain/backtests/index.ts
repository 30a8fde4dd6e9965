/** The backtests context's public entry: other contexts, functions/ and tests import from here only. */

export * from "./backtest.ts";
export * from "./backtest-service.ts";
export * from "./badge-comparison.ts";
export * from "./gate-comparison.ts";
export * from "./ports.ts";
