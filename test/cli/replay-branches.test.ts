import { afterAll, describe, expect, it } from "vitest";
import { routeBranches } from "../../src/cli/replay-action.ts";
import type { CompiledWorkflow } from "../../src/graph/workflow.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { tempHome } from "../support/runtime.ts";

describe("replay: the branches of a recorded route", () => {
  const { home, cleanup } = tempHome("signalbox-replay-branches-");
  const workflows = new Map<string, CompiledWorkflow>(
    createBuiltinWorkflows({ home }).map((workflow) => [workflow.name, workflow]),
  );
  afterAll(cleanup);
  const nodesOf = (name: string) => workflows.get(name)?.nodes ?? [];

  it("finds a top-level route, and a route inside a subworkflow by the name its decisions carry", () => {
    const names = (branches: ReturnType<typeof routeBranches>) =>
      branches?.map((branch) => branch.name);
    const inDraftReply = names(routeBranches(nodesOf("draft_reply"), "review_draft"));

    expect(names(routeBranches(nodesOf("support_triage"), "classify_intent"))).toContain("refund");
    expect(inDraftReply?.length).toBeGreaterThan(1);
    expect(names(routeBranches(nodesOf("support_triage"), "draft_reply/review_draft"))).toEqual(
      inDraftReply,
    );
    // Not routes: a step, the subworkflow node itself, a path past a route, unknown names.
    for (const node of ["draft_reply", "draft_reply/write_draft", "classify_intent/x", "nope"])
      expect(routeBranches(nodesOf("support_triage"), node)).toBeUndefined();
  });
});
