/**
 * The functions as Lambda runs them, and the context it passes them: the esbuild bundles lib/ deploys (lib/bundling.ts), built
 * into a folder inside the project so that the AWS SDK, left out of every bundle, is loaded from
 * node_modules as the Lambda runtime provides it. With LAUREL_BUNDLES naming such a folder, the
 * local API, `npm start -- --bundled` and the bundled test project call these bundles instead of
 * the TypeScript sources.
 */

import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { BuildOptions } from "esbuild";
import { areas } from "../../functions/http/route.ts";
import { esbuildOptions } from "../../lib/bundling.ts";

const repoRoot = join(import.meta.dirname, "..", "..");
/** The functions that run beside the API: on the ledger's stream, a schedule or a queue (functions/background/). */
export const backgroundFunctions = ["projector", "verifier", "bounty-sweeper", "notifier", "deliverer", "second-factor"] as const;
/** Every function lib/ deploys: one per HTTP area (functions/api/), and the background ones. */
export const functionNames = [...areas, ...backgroundFunctions] as const;

/** Where a function's entry point is, from the repository root. */
export const entryOf = (name: (typeof functionNames)[number]): string =>
  join("functions", (backgroundFunctions as readonly string[]).includes(name) ? "background" : "api", `${name}.ts`);

export async function buildBundles(outdir: string, extra: BuildOptions = {}) {
  mkdirSync(outdir, { recursive: true });
  const { build } = await import("esbuild");
  return build({
    ...esbuildOptions,
    // Named by function, so that each bundle is <name>.mjs whichever folder its entry point is in.
    entryPoints: Object.fromEntries(functionNames.map((name) => [name, join(repoRoot, entryOf(name))])),
    outdir,
    logLevel: "error",
    ...extra,
  });
}

/** A function's `handler`: from its bundle when LAUREL_BUNDLES is set, else from its source. */
export async function loadHandler<H>(name: (typeof functionNames)[number]): Promise<H> {
  // As Lambda's environment says of an instance started for a request (Powertools' cold start).
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= "on-demand";
  const bundles = process.env.LAUREL_BUNDLES;
  const module: { handler: H } = bundles
    ? await import(pathToFileURL(join(bundles, `${name}.mjs`)).href)
    : await import(`../../${entryOf(name)}`);
  return module.handler;
}

/** The context Lambda passes with each invocation, as far as Laurel's functions read it. */
export const lambdaContext = (name: (typeof functionNames)[number]): Context =>
  ({
    functionName: `laurel-local-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:laurel-local-${name}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/laurel-local-${name}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => 30_000,
    callbackWaitsForEmptyEventLoop: false,
  }) as Context;
