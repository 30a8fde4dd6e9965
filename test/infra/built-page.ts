/** The least of a built page (web/dist) the stack needs to synthesize: an index.html with its config marker. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configMarker } from "../../lib/page-policy.ts";

export function writeBuiltPage(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.html"), `<!doctype html><script type="application/json" id="laurel-config">${configMarker}</script>`);
  return dir;
}
