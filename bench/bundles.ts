/**
 * Each function's deployment bundle, built with the options LaurelFunction deploys with
 * (lib/bundling.ts: the AWS SDK comes from the Lambda runtime) but without the source map: its
 * size, and its module initialisation time as a ratio to a bare Node start. The bundles are
 * written inside the project so that the SDK resolves from node_modules, as from the runtime.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { areas } from "../functions/http/route.ts";
import { lambdaBundling } from "../lib/bundling.ts";
import { devAuthEnv, loadDevIssuer } from "../scripts/local/dev-issuer.ts";
import { atMost, median, type Options, type Result } from "./result.ts";

const root = new URL("..", import.meta.url).pathname;

export async function bundleFigures(options: Options): Promise<Result[]> {
  const out = mkdtempSync(join(root, "node_modules", ".laurel-bench-"));
  try {
    const present = areas.filter((area) => existsSync(join(root, "functions", `${area}.ts`)));
    const result = await build({
      entryPoints: present.map((area) => join(root, "functions", `${area}.ts`)),
      outdir: out,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      treeShaking: true,
      platform: "node",
      ...lambdaBundling,
      mainFields: [...lambdaBundling.mainFields],
      external: [...lambdaBundling.external],
      banner: { js: lambdaBundling.banner },
      sourcemap: false,
      metafile: true,
      logLevel: "error",
    });
    printLargestInputs(result.metafile);

    // Module scope wires the adapters, which read these; nothing is called, so no AWS is needed.
    const env = {
      ...process.env,
      AWS_REGION: "us-east-1",
      LEDGER_TABLE: "bench-ledger",
      STATE_TABLE: "bench-state",
      LOG_LEVEL: "silent",
      LAUREL_SECRET_KEY: Buffer.alloc(32).toString("base64"),
      ...devAuthEnv(await loadDevIssuer()),
    };
    const time = (args: string[]) => {
      const started = performance.now();
      const child = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
      const elapsed = performance.now() - started;
      if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${child.stderr.toString()}`);
      return elapsed;
    };

    const runs = options.quick ? 11 : 31;
    const rows: Result[] = [];
    for (const area of present) {
      const file = join(out, `${area}.mjs`);
      rows.push(atMost(`bundle ${area}: minified, no source map`, Math.round(statSync(file).size / 102.4) / 10, "KB", 300));
      const bare: number[] = [];
      const loaded: number[] = [];
      time([file]); // the first start reads the file from disk
      // Interleaved, so that drift in the machine's load affects both alike.
      for (let run = 0; run < runs; run++) {
        bare.push(time(["-e", ""]));
        loaded.push(time([file]));
      }
      rows.push(
        atMost(`bundle ${area}: module init ÷ bare node start`, Math.round((median(loaded) / median(bare)) * 100) / 100, "ratio", 2.5),
      );
    }
    return rows;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Where the bytes come from, grouped by package, for the largest bundle. */
function printLargestInputs(metafile: { outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }> }) {
  const [name, largest] = Object.entries(metafile.outputs).toSorted(([, a], [, b]) => b.bytes - a.bytes)[0] ?? [];
  if (!name || !largest) return;
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(largest.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match?.[1] ?? "(laurel)";
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const top = [...byPackage].toSorted(([, a], [, b]) => b - a).slice(0, 8);
  console.log(`largest bundle ${name.split("/").at(-1)}: ${top.map(([pkg, bytes]) => `${pkg} ${Math.round(bytes / 1024)} KB`).join(", ")}`);
}
