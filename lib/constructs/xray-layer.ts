/**
 * The AWS X-Ray SDK that Powertools Tracer records with, as one Lambda layer that every function
 * of a stack shares instead of bundling it: with its semver and cls-hooked it is about 110 KB
 * minified, more than a third of a function's 300 KB bundle budget (docs/PERFORMANCE.md). The
 * layer is built at synth from node_modules with esbuild (one CommonJS file, minified), so it is
 * the version the tests and `npm start -- --bundled` load, in every AWS partition, China included.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DockerImage, Stack } from "aws-cdk-lib";
import { Architecture, Code, LayerVersion, Runtime } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { buildSync } from "esbuild";
import { lambdaBundling } from "../bundling.ts";

const require = createRequire(import.meta.url);
export const xraySdk = "aws-xray-sdk-core";

export class XRaySdkLayer extends Construct {
  readonly layer: LayerVersion;

  /** The stack's one layer, made on first use. */
  static of(scope: Construct): LayerVersion {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild("XRaySdk") as XRaySdkLayer | undefined;
    return (existing ?? new XRaySdkLayer(stack, "XRaySdk")).layer;
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, "Layer", {
      description: `${xraySdk} ${require(`${xraySdk}/package.json`).version} for Powertools Tracer`,
      compatibleRuntimes: [Runtime.NODEJS_24_X],
      compatibleArchitectures: [Architecture.ARM_64],
      code: Code.fromAsset(join(require.resolve(xraySdk), ".."), {
        bundling: {
          // Never pulled: bundling with esbuild here always succeeds.
          image: DockerImage.fromRegistry("public.ecr.aws/sam/build-nodejs24.x"),
          local: {
            tryBundle(outputDir: string) {
              buildXRaySdk(join(outputDir, "nodejs", "node_modules"));
              return true;
            },
          },
        },
      }),
    });
  }
}

/** The layer's package: node_modules/aws-xray-sdk-core as one minified CommonJS file. */
export function buildXRaySdk(nodeModules: string): string {
  const dir = join(nodeModules, xraySdk);
  buildSync({
    entryPoints: [require.resolve(xraySdk)],
    outfile: join(dir, "index.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: lambdaBundling.target,
    minify: true,
    // As in every function: the runtime provides the AWS SDK.
    external: ["@aws-sdk/*"],
    logLevel: "error",
  });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: xraySdk, main: "index.js" }));
  return join(dir, "index.js");
}
