/**
 * Builds the managers' page (web/) into web/dist/: one JS bundle (Preact + TSX via esbuild) and
 * one CSS file, both named by content hash, index.html pointing at them, and the offline app
 * shell's service worker (sw.js) that keeps them. Checks the budget:
 * JS + CSS at most 60 KB gzipped. `npm run build:web`; `npm start` and the page test call buildWeb().
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { routes } from "../functions/http/routes.ts";

const root = join(import.meta.dirname, "..");
const webDir = join(root, "web");

export const pageBudgetBytes = 60 * 1024;

export interface WebBuild {
  outDir: string;
  js: { file: string; bytes: number; gzipBytes: number };
  css: { file: string; bytes: number; gzipBytes: number };
  gzipBytes: number;
  summary: string;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** "METHOD /path" of every API route, so that the page offers only the screens whose routes exist. */
export const routeKeys = () => Object.values(routes).map((spec) => `${spec.method} ${spec.path}`);

export async function buildWeb(options: { outDir?: string; quiet?: boolean } = {}): Promise<WebBuild> {
  const outDir = options.outDir ?? join(webDir, "dist");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(webDir, "src", "main.tsx"), style: join(webDir, "src", "style.css") },
    outdir: outDir,
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    // Chat apps' web views (Android's Chromium, iOS's WebKit) of recent years.
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { __LAUREL_ROUTES__: JSON.stringify(routeKeys()) },
    legalComments: "none",
    metafile: true,
    logLevel: "error",
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => join(root, file));
  const pick = (ext: string) => {
    const file = outputs.find((f) => f.endsWith(ext)) as string;
    const body = readFileSync(file);
    return { file: basename(file), bytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength };
  };
  const js = pick(".js");
  const css = pick(".css");
  const html = readFileSync(join(webDir, "index.html"), "utf8").replaceAll("%APP_JS%", js.file).replaceAll("%STYLE_CSS%", css.file);
  writeFileSync(join(outDir, "index.html"), html);
  const publicDir = join(webDir, "public");
  const publicFiles = existsSync(publicDir) ? readdirSync(publicDir) : [];
  for (const name of publicFiles) copyFileSync(join(publicDir, name), join(outDir, name));
  await build({
    entryPoints: { sw: join(webDir, "src", "sw.ts") },
    outdir: outDir,
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2020",
    define: { __LAUREL_SHELL__: JSON.stringify(["./", "config.json", js.file, css.file, ...publicFiles]) },
    legalComments: "none",
    logLevel: "error",
  });

  const gzipBytes = js.gzipBytes + css.gzipBytes;
  const summary = `JS ${kb(js.gzipBytes)} + CSS ${kb(css.gzipBytes)} = ${kb(gzipBytes)} gzipped, budget ${kb(pageBudgetBytes)}`;
  if (!options.quiet) console.log(`Built the page into ${outDir}: ${summary}`);
  if (gzipBytes > pageBudgetBytes) throw new Error(`The page is over its budget: ${summary}`);
  return { outDir, js, css, gzipBytes, summary };
}

if (process.argv[1] === import.meta.filename) await buildWeb();
