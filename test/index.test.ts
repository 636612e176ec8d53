import { describe, expect, it } from "vitest";
import * as signalbox from "../src/index.ts";
import * as postgres from "../src/postgres.ts";
import * as server from "../src/server.ts";
import * as testing from "../src/testing/index.ts";
import { PUBLIC_ENTRIES } from "./support/public-api.ts";

describe("public API", () => {
  // Adding or removing a line here is an API decision: update the list on purpose.
  it("exports exactly these runtime values from the main entry", () => {
    expect(Object.keys(signalbox).sort()).toEqual([...(PUBLIC_ENTRIES["."] ?? [])].sort());
  });

  it("keeps the PostgreSQL deployment in its own entry", () => {
    expect(Object.keys(postgres).sort()).toEqual([
      "PostgresRunStore",
      "createPostgresQueue",
      "openPostgres",
    ]);
    expect("PostgresRunStore" in signalbox).toBe(false);
  });

  it("keeps the HTTP endpoints for embedding in their own entry", () => {
    expect(Object.keys(server).sort()).toEqual([
      "MCP_PATH",
      "createHttpHandler",
      "serveStdio",
      "startHttpServer",
    ]);
    expect("createHttpHandler" in signalbox).toBe(false);
  });

  it("keeps test doubles out of the main entry", () => {
    expect(Object.keys(testing).sort()).toEqual([
      "ScriptedChatModel",
      "createScriptedDecider",
      "promptText",
      "startOpenAiTestServer",
    ]);
    expect("ScriptedChatModel" in signalbox).toBe(false);
  });
});
