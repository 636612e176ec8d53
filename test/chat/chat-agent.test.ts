import { afterEach, describe, expect, it } from "vitest";
import { createChatAgent } from "../../src/chat/chat-agent.ts";
import type { ChatEvent } from "../../src/chat/chat-events.ts";
import { ScriptedChatModel } from "../../src/testing/scripted-chat-model.ts";
import { createBuiltinWorkflows } from "../../src/workflows/index.ts";
import { openTestRuntime, tempHome } from "../support/runtime.ts";

const REQUEST =
  "Customer C-1005 writes: The software did not work for us at all. I want my money back for order 5031.";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const { home, cleanup } = tempHome();
  const { runtime } = openTestRuntime(home, createBuiltinWorkflows({ home }));
  cleanups.push(cleanup, () => runtime.close());
  return { home, runtime };
}

describe("chat agent (offline model)", () => {
  it("runs support triage, asks for approval, approves on yes", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const events: ChatEvent[] = [];
    const first = await chat.send({
      message: REQUEST,
      user: "ada",
      onEvent: (event) => events.push(event),
    });
    expect(first.runs[0]?.status, first.reply).toBe("waiting");
    expect(first.reply).toMatch(/waiting for your approval/);
    expect(first.reply).toMatch(/decision path/);
    expect(events.some((event) => event.type === "approval-request")).toBe(true);
    // Someone other than the requester approves (issue #11: nobody approves their own refund).
    const second = await chat.send({
      conversationId: first.conversationId,
      message: "yes",
      user: "lead",
    });
    expect(second.runs[0]?.status).toBe("succeeded");
    const decisions = await runtime.decisions({ runId: second.turnRunId });
    expect(decisions.map((decision) => decision.kind)).toEqual(["tool", "approval"]);
    const history = await chat.history(first.conversationId);
    expect(history.filter((entry) => entry.role === "user")).toHaveLength(2);
  });
});

describe("chat agent (scripted model)", () => {
  it("drives a multi-turn chat: triage for C-1005, approval asked, approved next turn", async () => {
    const { runtime } = setup();
    const model = new ScriptedChatModel([
      {
        toolCalls: [
          {
            name: "support_triage",
            args: {
              customerId: "C-1005",
              message:
                "The software did not work for us at all. I want my money back for order 5031.",
              rationale: "a refund request from a known customer",
            },
          },
        ],
      },
      "The refund of 1200 EUR needs your approval. Approve?",
      {
        toolCalls: [
          {
            name: "approve_run",
            args: { runId: "RUN", decision: "approve", rationale: "the person said yes" },
          },
        ],
      },
      "Approved: the refund was issued and the reply sent.",
    ]);
    const chat = createChatAgent(runtime, { model });
    const first = await chat.send({ message: REQUEST, user: "ada" });
    expect(first.reply).toMatch(/needs your approval/);
    const runId = first.runs[0]?.runId ?? "";
    expect(first.runs[0]?.status).toBe("waiting");
    // The scripted model cannot know the run id ahead: patch it into the queued turn.
    const queued = (model as unknown as { turns: { toolCalls: { args: { runId: string } }[] }[] })
      .turns[0];
    if (queued?.toolCalls[0]) queued.toolCalls[0].args.runId = runId;
    const second = await chat.send({
      conversationId: first.conversationId,
      message: "yes, approve",
      user: "lead",
    });
    expect(second.reply).toMatch(/Approved/);
    expect((await runtime.get(runId)).run.status).toBe("succeeded");
    model.assertConsumed();
    // The model saw the whole conversation, tools included, on the last call.
    const lastRequest = model.requests.at(-1) ?? [];
    expect(lastRequest.map((message) => message.type)).toEqual([
      "system",
      "human",
      "ai",
      "tool",
      "ai",
      "human",
      "ai",
      "tool",
    ]);
    const decisions = await runtime.decisions({ runId: first.turnRunId });
    expect(decisions[0]).toMatchObject({
      kind: "tool",
      choice: "support_triage",
      decidedBy: "llm",
    });
    expect(decisions[0]?.reason).toMatch(/refund request from a known customer/);
  });

  it("refuses an approval the person did not give", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const first = await chat.send({ message: REQUEST });
    const runId = first.runs[0]?.runId ?? "";
    const model = new ScriptedChatModel([
      {
        toolCalls: [
          { name: "approve_run", args: { runId, decision: "approve", rationale: "sure" } },
        ],
      },
      "I need you to confirm.",
    ]);
    const sneaky = createChatAgent(runtime, { model });
    const turn = await sneaky.send({
      conversationId: first.conversationId,
      message: "what is the weather?",
    });
    expect(turn.reply).toBe("I need you to confirm.");
    expect((await runtime.get(runId)).run.status).toBe("waiting");
    const toolMessage = model.requests.at(-1)?.at(-1);
    expect(String(toolMessage?.content)).toMatch(/does not say "approve"/);
  });
});

describe("chat agent: conversations", () => {
  it("asks for a missing customer id, then runs with the answer", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const first = await chat.send({
      message: "Please refund order 5031, the software did not work.",
    });
    expect(first.reply).toMatch(/need: customerId/);
    expect(first.runs).toHaveLength(0);
    const second = await chat.send({ conversationId: first.conversationId, message: "C-1005" });
    expect(second.runs[0]?.status).toBe("waiting");
    const run = await runtime.get(second.runs[0]?.runId ?? "");
    expect(run.run.input).toMatchObject({ customerId: "C-1005" });
    expect(String((run.run.input as { message: string }).message)).toMatch(/refund order 5031/);
  });

  it("says when it is unsure and records that it asked", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const turn = await chat.send({ message: "What's the capital of Peru?" });
    expect(turn.reply).toMatch(/not sure which workflow/);
    const decisions = await runtime.decisions({ runId: turn.turnRunId });
    expect(decisions).toMatchObject([{ kind: "escalation", choice: "ask" }]);
  });

  it("rejects an empty message, an oversized one and an unknown conversation", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    await expect(chat.send({ message: "  " })).rejects.toThrow(/message is empty/);
    await expect(chat.send({ message: "x".repeat(20_001) })).rejects.toThrow(/limit is 20000/);
    await expect(chat.send({ message: "hi", conversationId: "conv-nope" })).rejects.toThrow(
      /no conversation with id "conv-nope"/,
    );
  });

  it("serialises two messages racing on one conversation", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const first = await chat.send({ message: "Please refund order 5031, it did not work." });
    const order: string[] = [];
    const [left, right] = await Promise.all([
      chat.send({
        conversationId: first.conversationId,
        message: "C-1005",
        onEvent: (event) => order.push(`a:${event.type}`),
      }),
      chat.send({
        conversationId: first.conversationId,
        message: "no",
        onEvent: (event) => order.push(`b:${event.type}`),
      }),
    ]);
    expect(order.at(0)).toBe("a:turn-start");
    expect(order.indexOf("a:turn-end")).toBeLessThan(order.indexOf("b:turn-start"));
    expect(left.runs[0]?.status).toBe("waiting");
    expect(right.runs[0]?.runId).toBe(left.runs[0]?.runId);
    expect(right.reply).not.toMatch(/waiting for your approval/);
    expect(right.turnRunId).toBe(`${first.conversationId}.3`);
  });

  it("keeps a conversation across a restart (same SQLite file)", async () => {
    const { home, cleanup } = tempHome();
    cleanups.push(cleanup);
    const before = openTestRuntime(home, createBuiltinWorkflows({ home }));
    const first = await createChatAgent(before.runtime).send({ message: REQUEST });
    await before.runtime.close();
    const after = openTestRuntime(home, createBuiltinWorkflows({ home }));
    cleanups.push(() => after.runtime.close());
    const chat = createChatAgent(after.runtime);
    const second = await chat.send({
      conversationId: first.conversationId,
      message: "approve",
      user: "lead",
    });
    expect(second.runs[0]?.status).toBe("succeeded");
    expect(await chat.runs(first.conversationId)).toHaveLength(1);
  });
});

describe("chat agent: who approves", () => {
  async function waitingRun(user?: string) {
    const { runtime } = setup();
    const chat = createChatAgent(runtime);
    const first = await chat.send({ message: REQUEST, user });
    expect(first.runs[0]?.status).toBe("waiting");
    return { runtime, chat, first, runId: first.runs[0]?.runId ?? "" };
  }

  it("refuses the requester's own approval and records who decided when someone else approves", async () => {
    const { runtime, chat, first, runId } = await waitingRun("ada");
    const own = await chat.send({
      conversationId: first.conversationId,
      message: "yes",
      user: "ada",
    });
    expect(own.reply).toMatch(/ada asked for run \S+ and may not approve it too/);
    expect((await runtime.get(runId)).run.status).toBe("waiting");
    const other = await chat.send({
      conversationId: first.conversationId,
      message: "approve",
      user: "lead",
    });
    expect(other.runs[0]?.status).toBe("succeeded");
    const { approvals } = await runtime.get(runId);
    expect(approvals[0]).toMatchObject({ status: "approved", decidedBy: "chat:lead" });
    expect(approvals[0]?.comment).toBe('lead said "approve"');
    const [decision] = await runtime.decisions({ runId: other.turnRunId, kind: "approval" });
    expect(decision?.reason).toMatch(/^chat:lead said "approve" about run /);
  });

  it("refuses an anonymous approval, even of someone else's run; anyone may reject", async () => {
    const { runtime, chat, first, runId } = await waitingRun("ada");
    const anonymous = await chat.send({ conversationId: first.conversationId, message: "yes" });
    expect(anonymous.reply).toMatch(/does not know who you are/);
    expect((await runtime.get(runId)).run.status).toBe("waiting");
    await chat.send({ conversationId: first.conversationId, message: "no", user: "ada" });
    const { run, approvals } = await runtime.get(runId);
    expect(run.status).toBe("succeeded");
    expect(approvals[0]).toMatchObject({ status: "rejected", decidedBy: "chat:ada" });
  });

  it("takes a policy of its own (here: anyone may approve)", async () => {
    const { runtime } = setup();
    const chat = createChatAgent(runtime, { approvalPolicy: () => true });
    const first = await chat.send({ message: REQUEST });
    const second = await chat.send({ conversationId: first.conversationId, message: "yes" });
    expect(second.runs[0]?.status).toBe("succeeded");
    const { approvals } = await runtime.get(first.runs[0]?.runId ?? "");
    expect(approvals[0]?.decidedBy).toBe("chat:anonymous");
  });

  it("rejects a user name that is not printable text", async () => {
    const { runtime } = setup();
    await expect(
      createChatAgent(runtime).send({ message: REQUEST, user: "ada\nlead" }),
    ).rejects.toThrow(/user must be 1 to 128 printable characters/);
  });
});
