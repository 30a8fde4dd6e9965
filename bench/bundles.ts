/**
 * Each function's deployment bundle, built with the options LaurelFunction deploys with
 * (lib/bundling.ts: the AWS SDK comes from the Lambda runtime, the X-Ray SDK from our layer) but
 * without the source map: its size, and its module initialisation time as a ratio to a bare Node
 * start. The bundles are written inside the project so that the SDK resolves from node_modules,
 * as from the runtime, and the layer's X-Ray SDK beside them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { esbuildOptions } from "../lib/bundling.ts";
import { buildXRaySdk } from "../lib/constructs/xray-layer.ts";
import { devAuthEnv, loadDevIssuer } from "../scripts/local/dev-issuer.ts";
import { buildBundles, functionNames } from "../scripts/local/lambda.ts";
import { atMost, median, type Options, type Result, reported } from "./support/result.ts";

const root = new URL("..", import.meta.url).pathname;

export async function bundleFigures(options: Options): Promise<Result[]> {
  const out = mkdtempSync(join(root, "node_modules", ".laurel-bench-"));
  try {
    const result = await buildBundles(out, { sourcemap: false, metafile: true });
    await build({
      ...esbuildOptions,
      entryPoints: { "init-floor": join(root, "bench/support/init-floor.ts") },
      outdir: out,
      logLevel: "error",
    });
    if (result.metafile) printLargestInputs(result.metafile);
    // Beside the bundles, where they find it first: the X-Ray SDK as its layer holds it.
    const xray = buildXRaySdk(join(out, "node_modules"));

    // Module scope wires the adapters, which read these; nothing is called, so no AWS is needed.
    const env = {
      ...process.env,
      AWS_REGION: "us-east-1",
      LEDGER_TABLE: "bench-ledger",
      STATE_TABLE: "bench-state",
      LOG_LEVEL: "SILENT",
      LAUREL_SECRET_KEY: Buffer.alloc(32).toString("base64"),
      DELIVERY_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/bench-deliveries",
      ...devAuthEnv(await loadDevIssuer()),
    };
    const time = (args: string[]) => {
      const started = performance.now();
      const child = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
      const elapsed = performance.now() - started;
      if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${child.stderr.toString()}`);
      return elapsed;
    };

    // The CPU time (user + system) a process spent by the end of loading the bundle: unlike wall
    // time, barely moved by other work on the machine.
    const cpu = (file: string) => {
      const report = "const u = process.cpuUsage(); console.log((u.user + u.system) / 1000)";
      const script = file ? `await import(${JSON.stringify(pathToFileURL(file).href)}); ${report}` : report;
      const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
      if (child.status !== 0) throw new Error(`loading ${file} failed: ${child.stderr}`);
      return Number(child.stdout.trim());
    };

    const runs = options.quick ? 11 : 31;
    const rows: Result[] = [
      atMost("X-Ray SDK layer, shared by every function: minified", Math.round(statSync(xray).size / 102.4) / 10, "KB", 150),
    ];
    // The floor first: the DynamoDB client and Powertools alone, which no function but the public one can start without.
    for (const area of ["init-floor", ...functionNames]) {
      const file = join(out, `${area}.mjs`);
      if (area !== "init-floor")
        rows.push(atMost(`bundle ${area}: minified, no source map`, Math.round(statSync(file).size / 102.4) / 10, "KB", 300));
      const bare: number[] = [];
      const loaded: number[] = [];
      time([file]); // the first start reads the file from disk
      // Interleaved, so that drift in the machine's load affects both alike.
      for (let run = 0; run < runs; run++) {
        bare.push(time(["-e", ""]));
        loaded.push(time([file]));
      }
      const ratio = Math.round((median(loaded) / median(bare)) * 100) / 100;
      rows.push(
        area === "init-floor"
          ? reported("DynamoDB client + Powertools alone (the floor): module init ÷ bare node start", ratio, "ratio")
          : atMost(`bundle ${area}: module init ÷ bare node start`, ratio, "ratio", 2.5),
      );
      const cpuBare: number[] = [];
      const cpuLoaded: number[] = [];
      for (let run = 0; run < runs; run++) {
        cpuBare.push(cpu(""));
        cpuLoaded.push(cpu(file));
      }
      rows.push(reported(`bundle ${area}: module init CPU time beyond a bare node`, Math.round(median(cpuLoaded) - median(cpuBare)), "ms"));
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
