/**
 * Builds the managers' page (web/) into web/dist/: index.html with everything the first screen
 * needs inline (the JS bundle, Preact + TSX via esbuild, the CSS, and boot.ts that starts the API
 * requests), so that a first visit takes one round trip before it asks the API; its configuration
 * is written in where it is served (lib/page-policy.ts). The offline app shell's service worker
 * (sw.js) opens later visits from shell.html, the same page with the JS in its own file
 * (app-<hash>.js): kept with it, V8 keeps its compiled code too, which an inline script never gets.
 * Checks the budget: JS + CSS at most 60 KB gzipped. `npm run build:web`; `npm start` and the
 * page test call buildWeb().
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Plugin } from "esbuild";
import { routes } from "../functions/http/routes.ts";

const root = join(import.meta.dirname, "..");
const webDir = join(root, "web");

export const pageBudgetBytes = 60 * 1024;

interface Part {
  bytes: number;
  gzipBytes: number;
}

export interface WebBuild {
  outDir: string;
  js: Part;
  css: Part;
  /** index.html as served, with the JS and CSS in it. */
  html: Part;
  /** The approvers' and admins' views, loaded when opened: outside the managers' budget. */
  admin: Part;
  gzipBytes: number;
  summary: string;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** "METHOD /path" of every API route, so that the page offers only the screens whose routes exist. */
export const routeKeys = () => Object.values(routes).map((spec) => `${spec.method} ${spec.path}`);

const bundle = async (entry: string, format: "esm" | "iife", define: Record<string, string>, plugins: Plugin[] = []) => {
  const result = await build({
    plugins,
    entryPoints: [join(webDir, "src", entry)],
    write: false,
    outdir: "out",
    bundle: true,
    minify: true,
    format,
    // Chat apps' web views (Android's Chromium, iOS's WebKit) of recent years.
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    define,
    legalComments: "none",
    logLevel: "error",
  });
  const ext = entry.endsWith(".css") ? ".css" : ".js";
  return result.outputFiles
    .filter((file) => file.path.endsWith(ext))
    .map((file) => file.text)
    .join("");
};

/** What web/src/lazy.tsx hands the admin chunk, by key: Preact's modules and the page's own. */
const sharedKeys = ["preact/hooks", "preact/jsx-runtime", "api", "format", "i18n", "problems", "ui"];

/**
 * The admin chunk (web/src/admin/) takes every module from outside its folder from the app that
 * loads it: one Preact (hooks bind to the instance that renders), one API client, one context.
 * Not esbuild's code splitting: it would move what both share into a chunk of its own, which the
 * first screen, inlined in index.html, would then have to fetch before it renders.
 */
const fromTheApp: Plugin = {
  name: "from-the-app",
  setup(plugin) {
    plugin.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const inside = args.path.startsWith("./") && args.importer.startsWith(join(webDir, "src", "admin"));
      if (inside) return undefined;
      const key = args.path.startsWith(".") ? (args.path.split("/").pop() ?? "").replace(/\.tsx?$/, "") : args.path;
      if (!sharedKeys.includes(key))
        return { errors: [{ text: `the admin chunk imports ${args.path}, which web/src/lazy.tsx does not share` }] };
      return { path: key, namespace: "laurel-shared" };
    });
    plugin.onLoad({ filter: /.*/, namespace: "laurel-shared" }, (args) => ({
      contents: `module.exports = globalThis.laurelShared[${JSON.stringify(args.path)}];`,
      loader: "js",
    }));
  },
};

const sizes = (text: string): Part => {
  const body = Buffer.from(text);
  return { bytes: body.byteLength, gzipBytes: gzipSync(body, { level: 9 }).byteLength };
};

/** A name that changes with the content (app-3F2A9C1B.js): served as cached for ever. */
const hashedName = (name: string, code: string) =>
  `${name}-${createHash("sha256").update(code).digest("hex").slice(0, 8).toUpperCase()}.js`;

/** Inline code must not end the element it sits in (esbuild escapes such strings; this makes sure). */
function inline(html: string, marker: string, code: string, element: "script" | "style"): string {
  if (code.toLowerCase().includes(`</${element}`)) throw new Error(`the inlined ${element} contains </${element}`);
  return html.replace(marker, () => code.trim());
}

export async function buildWeb(options: { outDir?: string; quiet?: boolean } = {}): Promise<WebBuild> {
  const outDir = options.outDir ?? join(webDir, "dist");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const admin = await bundle("admin/index.ts", "esm", {}, [fromTheApp]);
  const adminFile = hashedName("admin", admin);
  writeFileSync(join(outDir, adminFile), admin);
  const [app, style, boot] = await Promise.all([
    bundle("main.tsx", "esm", { __LAUREL_ROUTES__: JSON.stringify(routeKeys()), __LAUREL_ADMIN__: JSON.stringify(`./${adminFile}`) }),
    bundle("style.css", "esm", {}),
    bundle("boot.ts", "iife", {}),
  ]);
  let html = readFileSync(join(webDir, "index.html"), "utf8");
  html = inline(html, "/*BOOT_JS*/", boot, "script");
  html = inline(html, "/*STYLE_CSS*/", style, "style");
  const appFile = hashedName("app", app);
  writeFileSync(join(outDir, appFile), app);
  const appElement = '<script type="module">/*APP_JS*/</script>';
  if (!html.includes(appElement)) throw new Error(`web/index.html has no ${appElement}`);
  writeFileSync(
    join(outDir, "shell.html"),
    html.replace(appElement, () => `<script type="module" src="${appFile}"></script>`),
  );
  html = inline(html, "/*APP_JS*/", app, "script");
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
    define: {
      __LAUREL_SHELL__: JSON.stringify(["shell.html", appFile, ...publicFiles]),
      // A new release, a new cache: named by the page's content.
      __LAUREL_RELEASE__: JSON.stringify(createHash("sha256").update(html).digest("hex").slice(0, 12)),
    },
    legalComments: "none",
    logLevel: "error",
  });

  const js = sizes(app + boot);
  const css = sizes(style);
  const gzipBytes = js.gzipBytes + css.gzipBytes;
  const summary = `JS ${kb(js.gzipBytes)} + CSS ${kb(css.gzipBytes)} = ${kb(gzipBytes)} gzipped, budget ${kb(pageBudgetBytes)}; the admin views ${kb(sizes(admin).gzipBytes)} more when opened`;
  if (!options.quiet) console.log(`Built the page into ${outDir}: ${summary}`);
  if (gzipBytes > pageBudgetBytes) throw new Error(`The page is over its budget: ${summary}`);
  return { outDir, js, css, html: sizes(html), admin: sizes(admin), gzipBytes, summary };
}

if (process.argv[1] === import.meta.filename) await buildWeb();
