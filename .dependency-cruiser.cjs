/**
 * The layers of src/, checked by dependency-cruiser in `npm run check` (issue 10).
 * Which folder may import which: docs/decisions/2026-11-30-one-way-layers.md.
 *
 *   contracts  <  models  <  tools  <  graph  <  runtime  <  the rest  <  adapters (cli, mcp, server)
 *   contracts  <  store   <  runtime
 *
 * No exceptions are listed: a rule that needs one needs a decision instead.
 */

/** The public entries: they may import anything, adapters included. */
const ENTRIES = "^src/(index|postgres|server)[.]ts$";
const ADAPTERS = "^src/(cli|mcp|server)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-folder-cycle",
      comment:
        "The folders of src/ import one way: two folders that import each other (directly or round a loop) are one tangle. Put the shared contract in the lower folder and inject the concrete piece from above.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/[^/]+$" },
      to: { circular: true },
    },
    {
      name: "root-helpers-are-leaves",
      comment:
        "The root helpers (errors.ts, validation.ts, import-module.ts) sit below every folder, so they import none.",
      severity: "error",
      from: { path: "^src/[^/]+[.]ts$", pathNot: ENTRIES },
      to: { path: "^src/[^/]+/" },
    },
    {
      name: "adapters-only-from-adapters",
      comment:
        "cli, mcp and server are thin adapters over the public API: only another adapter or a public entry imports them. Move what a lower folder needs out of the adapter, below both.",
      severity: "error",
      from: { path: "^src/", pathNot: [ADAPTERS, ENTRIES] },
      to: { path: ADAPTERS },
    },
    {
      name: "core-not-upper",
      comment:
        "The core (graph, models, tools, store) and the runtime do not know chat, eval, config, workflows or testing; those build on the core.",
      severity: "error",
      from: { path: "^src/(contracts|graph|models|tools|store|runtime)/" },
      to: { path: "^src/(chat|eval|config|workflows|testing)/" },
    },
    {
      name: "contracts-lowest",
      comment:
        "contracts holds the types and pure helpers the core shares; it imports nothing of src/ but itself and the root helpers.",
      severity: "error",
      from: { path: "^src/contracts/" },
      to: { path: "^src/", pathNot: ["^src/contracts/", "^src/(errors|validation)[.]ts$"] },
    },
    {
      name: "models-below-tools-and-graph",
      comment:
        "models (chat providers, classifiers, deciders) implement contracts; tools and graph use them, never the other way.",
      severity: "error",
      from: { path: "^src/models/" },
      to: { path: "^src/(tools|graph|store|runtime|analytics)/" },
    },
    {
      name: "tools-below-graph",
      comment:
        "tools (definition, registry, schemas, MCP client tools, the model turn) are composed into agent nodes by graph, never the other way.",
      severity: "error",
      from: { path: "^src/tools/" },
      to: { path: "^src/(graph|store|runtime|analytics)/" },
    },
    {
      name: "graph-below-runtime-and-store",
      comment:
        "graph knows the store only through the RunContext the runtime hands it (LangGraph's context).",
      severity: "error",
      from: { path: "^src/graph/" },
      to: { path: "^src/(store|runtime|analytics)/" },
    },
    {
      name: "store-below-graph",
      comment: "The store keeps records whose contracts live in contracts; it runs no graph.",
      severity: "error",
      from: { path: "^src/store/" },
      to: { path: "^src/(graph|models|tools|runtime|analytics)/" },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript compiler API, which dependency-cruiser's tsc parser needs;
    // swc reads the TypeScript, and imports name their files (`./x.ts`), so no tsconfig is needed.
    parser: "swc",
    // Type-only imports count: a folder that needs another's types depends on it.
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
  },
};
