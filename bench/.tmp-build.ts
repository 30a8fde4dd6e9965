import { buildBundles } from "../scripts/local/bundles.ts";

await buildBundles(process.argv[2] as string, { sourcemap: false });
