/**
 * The baseline for a cold `signalbox run support_triage` (bench/startup.ts): a bare
 * `import("@langchain/langgraph")` plus one run of a graph the size of the path that
 * run takes (9 nodes: lookup_customer … send_reply), checkpointed in memory. Plain
 * JavaScript, so the cold start pays for node and LangGraph only.
 */
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";

const NODES = [
  "lookup_customer",
  "gather_context",
  "classify_intent",
  "check_refund_policy",
  "draft_reply",
  "dispatch_reply",
  "approve_refund",
  "issue_refund",
  "send_reply",
];

const State = Annotation.Root({
  message: Annotation(),
  path: Annotation({ reducer: (path, next) => path.concat(next), default: () => [] }),
});

const graph = new StateGraph(State);
for (const node of NODES) graph.addNode(node, () => ({ path: [node] }));
graph.addEdge(START, NODES[0]);
for (let index = 1; index < NODES.length; index += 1) graph.addEdge(NODES[index - 1], NODES[index]);
graph.addEdge(NODES[NODES.length - 1], END);
const result = await graph
  .compile({ checkpointer: new MemorySaver() })
  .invoke({ message: "refund" }, { configurable: { thread_id: "bare" } });
if (result.path.length !== NODES.length) throw new Error(`ran ${result.path.join(" → ")}`);
