/**
 * The functions as Lambda runs them: the esbuild bundles lib/ deploys (lib/bundling.ts), built
 * into a folder inside the project so that the AWS SDK, left out of every bundle, is loaded from
 * node_modules as the Lambda runtime provides it. With LAUREL_BUNDLES naming such a folder, the
 * local API, `npm start -- --bundled` and the bundled test project call these bundles instead of
 * the TypeScript sources.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildOptions } from "esbuild";
import { areas } from "../../functions/http/route.ts";
import { esbuildOptions } from "../../lib/bundling.ts";

const functionsDir = join(import.meta.dirname, "..", "..", "functions");
/** Every function lib/ deploys: one per HTTP area, the leaderboard projector and the verifier. */
export const functionNames = [...areas, "projector", "verifier"] as const;

export async function buildBundles(outdir: string, extra: BuildOptions = {}) {
  mkdirSync(outdir, { recursive: true });
  const { build } = await import("esbuild");
  return build({
    ...esbuildOptions,
    entryPoints: functionNames.map((name) => join(functionsDir, `${name}.ts`)),
    outdir,
    logLevel: "error",
    ...extra,
  });
}

/** A function's `handler`: from its bundle when LAUREL_BUNDLES is set, else from its source. */
export async function loadHandler<H>(name: (typeof functionNames)[number]): Promise<H> {
  const bundles = process.env.LAUREL_BUNDLES;
  const module: { handler: H } = bundles
    ? await import(pathToFileURL(join(bundles, `${name}.mjs`)).href)
    : await import(`../../functions/${name}.ts`);
  return module.handler;
}
