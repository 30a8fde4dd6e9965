/**
 * The layout as a rule, not a habit (docs/ARCHITECTURE.md, "Layout"): a bounded context of
 * domain/ is entered through its index.ts only, the shared kernel imports no context, no two
 * files import each other (type-only imports included), contexts depend on each other in one
 * direction, and no folder grows past a room one can take in at once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { entryOf, functionNames } from "../../scripts/local/lambda.ts";

const root = resolve(import.meta.dirname, "..", "..");
const sourceRoots = ["domain", "functions", "lib", "scripts", "bench", "test", "web/src"];
const maxFilesPerFolder = 13;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

const files = sourceRoots.flatMap(sourceFiles);
const importPattern = /(?:^|\n)\s*(?:import|export)\b[^;"']*?(?:from\s*)?"(\.{1,2}\/[^"]+)"|import\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g;

/** Relative imports of a file, as paths from the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(importPattern)].map((m) => relative(root, resolve(root, dirname(file), (m[1] ?? m[2]) as string)));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));
const contextOf = (path: string) => path.match(/^domain\/([^/]+)\//)?.[1];

describe("the layout", () => {
  it("enters a bounded context only through its index.ts, and the kernel imports no context", () => {
    const offences: string[] = [];
    for (const [file, imports] of graph) {
      const own = contextOf(file);
      for (const target of imports) {
        const context = contextOf(target);
        if (!context || context === own) continue;
        if (own === "kernel") offences.push(`${file} imports ${target}: the kernel depends on no context`);
        else if (context !== "kernel" && !target.endsWith(`domain/${context}/index.ts`))
          offences.push(`${file} imports ${target}: use domain/${context}/index.ts`);
      }
      if (own && own !== "kernel" && imports.includes(`domain/${own}/index.ts`))
        offences.push(`${file} imports its own context's index.ts: import the file itself`);
    }
    expect(offences).toEqual([]);
  });

  it("has no import cycles between files", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps the contexts' dependencies one way", () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, imports] of graph) {
      const from = contextOf(file);
      if (!from) continue;
      for (const target of imports) {
        const to = contextOf(target);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(edges.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && reaches(next, to, seen.add(next))));
    const twoWay = [...edges.keys()].filter((context) => reaches(context, context));
    expect(twoWay).toEqual([]);
  });

  it(`keeps every folder to at most ${maxFilesPerFolder} source files`, () => {
    const perFolder = new Map<string, number>();
    for (const file of files) perFolder.set(dirname(file), (perFolder.get(dirname(file)) ?? 0) + 1);
    const crowded = [...perFolder].filter(([, count]) => count > maxFilesPerFolder).map(([folder, count]) => `${folder}: ${count}`);
    expect(crowded).toEqual([]);
  });

  it("keeps in functions/api/ and functions/background/ the entry points of deployed functions, and nothing else", () => {
    const entryPoints = files.filter((file) => ["functions/api", "functions/background"].includes(dirname(file)));
    expect(entryPoints.toSorted()).toEqual(functionNames.map(entryOf).toSorted());
  });
});
