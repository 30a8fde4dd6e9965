/**
 * The bundled test project's setup: the functions' esbuild bundles, built once per run exactly as
 * lib/ deploys them, into a folder under node_modules (so that the AWS SDK resolves from there
 * and vitest loads the bundles with Node itself, untransformed); test/support/env.ts then points
 * the local API at them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildBundles } from "../../scripts/local/lambda.ts";

declare module "vitest" {
  export interface ProvidedContext {
    bundles: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(import.meta.dirname, "..", "..", "node_modules", ".laurel-bundles-"));
  await buildBundles(dir);
  project.provide("bundles", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
