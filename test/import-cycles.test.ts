/**
 * No file of src/ imports a file that (through any chain of imports, type-only ones included) imports
 * it back: data flows one way between stages, and inside a stage the recursion goes through interfaces
 * held at run time (the pipeline's Translator), not through a cycle of modules.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/shared.js";

type Graph = ReadonlyMap<string, readonly string[]>;

/**
 * The module specifiers of a file: `import … from "x"` and `export … from "x"` (type-only ones too, over
 * several lines), bare `import "x"`, and dynamic `import("x")`.
 */
const IMPORT =
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

/** The relative imports of every .ts/.tsx file under `root`, resolved to files (keys are paths from root). */
function importGraph(root: string): Graph {
  const files = readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => f.split("\\").join("/"));
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec.startsWith(".")) continue;
      const base = relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, "");
      const target = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => known.has(c));
      if (target === undefined) throw new Error(`${file}: cannot resolve ${spec}`);
      targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each printed as the path
 * `a → b → … → a` through that component.
 */
function importCycles(graph: Graph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = new Set<string>();
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.add(w);
    } while (w !== v);
    if (component.size > 1 || graph.get(v)?.includes(v)) cycles.push(cyclePath(graph, v, component));
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A shortest path from `start` back to itself inside one component (breadth first). */
function cyclePath(graph: Graph, start: string, component: ReadonlySet<string>): string {
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift() as string;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u: string | undefined = v; u !== undefined && u !== start; u = from.get(u)) path.push(u);
        return [...path, start].reverse().join(" → ");
      }
      if (!from.has(w)) {
        from.set(w, v);
        queue.push(w);
      }
    }
  }
  return start;
}

describe("the import cycle finder", () => {
  it.each<[string, Record<string, string[]>, string[]]>([
    ["a line", { a: ["b"], b: ["c"], c: [] }, []],
    ["a diamond", { a: ["b", "c"], b: ["d"], c: ["d"], d: [] }, []],
    ["two files", { a: ["b"], b: ["a"] }, ["a → b → a"]],
    ["a file importing itself", { a: ["a"] }, ["a → a"]],
    ["three files through a tail", { t: ["a"], a: ["b"], b: ["c"], c: ["a"] }, ["a → b → c → a"]],
    ["two separate cycles", { a: ["b"], b: ["a"], c: ["d"], d: ["c"] }, ["a → b → a", "c → d → c"]],
  ])("%s", (_, edges, cycles) => {
    expect(importCycles(new Map(Object.entries(edges))).sort()).toEqual(cycles);
  });
});

describe("src/ has no import cycle", () => {
  it("every file imports only files that do not import it back", () => {
    const graph = importGraph(join(REPO_ROOT, "src"));
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("pipeline/xlate.ts")).toContain("pipeline/execute.ts");
    expect(importCycles(graph)).toEqual([]);
  });
});
