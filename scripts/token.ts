/** `npm run token -- <personId> <roles...>`: a token from the local dev issuer. */
import { join } from "node:path";
import { roles } from "../domain/kernel/model.ts";
import { loadDevIssuer } from "./local/dev-issuer.ts";

const [personId, ...requested] = process.argv.slice(2);
const unknown = requested.filter((role) => !(roles as readonly string[]).includes(role));
if (!personId || unknown.length) {
  console.error(
    `usage: npm run token -- <personId> [${roles.join("|")} ...]${unknown.length ? `\nunknown roles: ${unknown.join(", ")}` : ""}`,
  );
  process.exit(2);
}
const issuer = await loadDevIssuer(join(import.meta.dirname, "..", ".laurel", "dev-issuer.json"));
console.log(await issuer.sign(personId, requested.length ? requested : ["manager"]));
