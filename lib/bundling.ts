import type { BuildOptions } from "esbuild";

/**
 * How every function is bundled (esbuild): shared by the CDK construct and the benchmarks, so
 * that what is measured is what is deployed.
 *
 * The AWS SDK v3 is not bundled: the nodejs24.x runtime ships it. Bundling it would add about
 * 330 KB and 60 ms of module initialisation to every function (measured, docs/PERFORMANCE.md);
 * the price is that the SDK version is the runtime's, which AWS keeps current. The X-Ray SDK that
 * Powertools Tracer records with comes from a layer of our own (lib/constructs/xray-layer.ts):
 * bundled, it would add about 110 KB to every function and push them over their 300 KB budget.
 */
export const lambdaBundling = {
  format: "esm",
  target: "node24",
  mainFields: ["module", "main"],
  minify: true,
  // Some CommonJS dependencies call require(); ESM has none, so the bundle makes one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  external: ["@aws-sdk/*", "aws-xray-sdk-core"],
} as const;

/**
 * The verifier's V8 heap, passed in NODE_OPTIONS and used by the benchmark's verifier runs alike.
 * Lambda's Node runtime sizes the heap from the function's memory (a young generation of 5 % of it,
 * 51 MB at 1,024 MB) unless NODE_OPTIONS names a size. The verifier holds about 20 MB live at any
 * ledger size, so a young generation that large would only be RSS that grows with nothing.
 */
export const verifierHeapFlags = ["--max-semi-space-size=8", "--max-old-space-size=128"] as const;

/**
 * The esbuild options NodejsFunction runs with for lambdaBundling (without the source map it
 * adds), for building the very same bundles outside CDK: the benchmarks, `npm start -- --bundled`
 * and the tests that run against the bundles.
 */
export const esbuildOptions = {
  bundle: true,
  platform: "node",
  format: lambdaBundling.format,
  target: lambdaBundling.target,
  mainFields: [...lambdaBundling.mainFields],
  minify: lambdaBundling.minify,
  banner: { js: lambdaBundling.banner },
  external: [...lambdaBundling.external],
  outExtension: { ".js": ".mjs" },
} satisfies BuildOptions;
