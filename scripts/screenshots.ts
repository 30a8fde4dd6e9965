/**
 * `npm run screenshots`: refreshes docs/screenshots/ on purpose, from the pictures the page's
 * end-to-end test just took in the ignored test/screenshots/ (npm test never writes a tracked
 * file). Only the screens the docs show are copied, under the names the docs use.
 */
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const from = join(root, "test", "screenshots");
const to = join(root, "docs", "screenshots");

/** docs name ← test name. */
const shown: Record<string, string> = {
  "sign-in": "sign-in",
  me: "me",
  "me-en": "me-en-dark-390",
  history: "history",
  "history-open": "history-open",
  badge: "badge",
  progress: "progress",
  rank: "rank",
  rewards: "rewards",
  "rewards-confirm": "rewards-confirm",
  fund: "fund",
  "fund-approver": "fund-approver",
  team: "team",
  celebration: "celebration-en",
};

const missing = Object.values(shown).filter((name) => !existsSync(join(from, `${name}.png`)));
if (missing.length > 0) throw new Error(`Run the page's e2e test first; missing: ${missing.join(", ")}`);
for (const [docs, test] of Object.entries(shown)) copyFileSync(join(from, `${test}.png`), join(to, `${docs}.png`));
console.log(`Copied ${Object.keys(shown).length} screenshots to docs/screenshots/.`);
