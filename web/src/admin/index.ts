/**
 * The approvers' and admins' views, one chunk loaded on demand (web/src/lazy.tsx, built by
 * scripts/build-web.ts): the page's own modules and Preact come from the app that loaded it.
 */
export { BacktestScreen, BacktestsScreen } from "./backtest.tsx";
export { ReviewScreen, TodoScreen } from "./reviews.tsx";
