import type { WorkflowGraph } from "../../src/dashboard/workflow-graph.ts";

const BOX_WIDTH = 168;
const BOX_HEIGHT = 34;
const ROW_GAP = 64;
const COLUMN_GAP = 24;
const END = "end";

const nodeId = (name: string) => (name === END ? "__end" : name);

/** Rows by breadth-first distance from the start: short, stable, fine with loops. */
function ranks(graph: WorkflowGraph): Map<string, number> {
  const rank = new Map<string, number>([["__start", 0]]);
  const queue = ["__start"];
  while (queue.length > 0) {
    const from = queue.shift() as string;
    for (const edge of graph.edges) {
      if (edge.from !== from || rank.has(edge.to)) continue;
      rank.set(edge.to, (rank.get(from) ?? 0) + 1);
      queue.push(edge.to);
    }
  }
  const deepest = Math.max(
    0,
    ...[...rank.entries()].filter(([n]) => n !== "__end").map(([, r]) => r),
  );
  for (const node of graph.nodes) if (!rank.has(node.name)) rank.set(node.name, deepest + 1);
  rank.set("__end", Math.max(deepest + 1, ...[...rank.values()].filter(Number.isFinite)));
  return rank;
}

interface Placed {
  readonly x: number;
  readonly y: number;
}

function layout(graph: WorkflowGraph) {
  const rank = ranks(graph);
  const rows = new Map<number, string[]>();
  const names = ["__start", ...graph.nodes.map((node) => node.name), "__end"];
  for (const name of names) {
    const row = rank.get(name) ?? 0;
    rows.set(row, [...(rows.get(row) ?? []), name]);
  }
  const widest = Math.max(...[...rows.values()].map((row) => row.length));
  const width = widest * (BOX_WIDTH + COLUMN_GAP) + COLUMN_GAP;
  const positions = new Map<string, Placed>();
  for (const [row, members] of rows) {
    const rowWidth = members.length * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP;
    members.forEach((name, index) => {
      positions.set(name, {
        x: (width - rowWidth) / 2 + index * (BOX_WIDTH + COLUMN_GAP),
        y: 12 + row * (BOX_HEIGHT + ROW_GAP),
      });
    });
  }
  const height = 24 + (Math.max(...rows.keys()) + 1) * (BOX_HEIGHT + ROW_GAP) - ROW_GAP;
  return { positions, width, height };
}

function takenEdges(path: readonly string[]): Set<string> {
  const steps = ["__start", ...path.map(nodeId)];
  const taken = new Set<string>();
  for (let index = 1; index < steps.length; index += 1)
    taken.add(`${steps[index - 1]}>${steps[index]}`);
  return taken;
}

const label = (name: string) => (name === "__start" ? "start" : name === "__end" ? "end" : name);

/** The workflow graph as SVG, the nodes and edges of the taken path highlighted. */
export function GraphView({ graph }: { readonly graph: WorkflowGraph }) {
  const { positions, width, height } = layout(graph);
  const taken = takenEdges(graph.path);
  const visited = new Set(["__start", ...graph.path.map(nodeId)]);
  const kinds = new Map(graph.nodes.map((node) => [node.name, node.kind]));
  const hasPath = graph.path.length > 0;
  return (
    <svg
      class="graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="workflow graph"
    >
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerUnits="userSpaceOnUse"
          markerWidth="9"
          markerHeight="9"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
        </marker>
      </defs>
      {graph.edges.map((edge) => {
        const from = positions.get(edge.from);
        const to = positions.get(edge.to);
        if (from === undefined || to === undefined) return null;
        const x1 = from.x + BOX_WIDTH / 2;
        const y1 = from.y + BOX_HEIGHT;
        const x2 = to.x + BOX_WIDTH / 2;
        const y2 = to.y;
        const upward = y2 <= y1;
        const d = upward
          ? `M ${from.x + BOX_WIDTH} ${from.y + BOX_HEIGHT / 2} C ${from.x + BOX_WIDTH + 60} ${from.y}, ${to.x + BOX_WIDTH + 60} ${to.y + BOX_HEIGHT}, ${to.x + BOX_WIDTH} ${to.y + BOX_HEIGHT / 2}`
          : `M ${x1} ${y1} C ${x1} ${y1 + ROW_GAP / 2}, ${x2} ${y2 - ROW_GAP / 2}, ${x2} ${y2}`;
        const isTaken = taken.has(`${edge.from}>${edge.to}`);
        return (
          <g key={`${edge.from}>${edge.to}>${edge.label}`} class={isTaken ? "edge taken" : "edge"}>
            <path d={d} fill="none" marker-end="url(#arrow)" />
            {edge.label !== "" && (
              <text x={(x1 + x2) / 2 + (upward ? 70 : 0)} y={(y1 + y2) / 2} text-anchor="middle">
                {edge.label}
              </text>
            )}
          </g>
        );
      })}
      {[...positions.entries()].map(([name, at]) => (
        <g
          key={name}
          class={`node ${kinds.get(name) ?? "terminal"}${hasPath && visited.has(name) ? " taken" : ""}`}
          data-node={label(name)}
          data-taken={hasPath && visited.has(name) ? "true" : "false"}
        >
          <rect
            x={at.x}
            y={at.y}
            width={BOX_WIDTH}
            height={BOX_HEIGHT}
            rx={name.startsWith("__") ? 17 : 6}
          />
          <text x={at.x + BOX_WIDTH / 2} y={at.y + BOX_HEIGHT / 2 + 4} text-anchor="middle">
            {label(name)}
            {kinds.get(name) !== undefined && kinds.get(name) !== "step"
              ? ` (${kinds.get(name)})`
              : ""}
          </text>
        </g>
      ))}
    </svg>
  );
}
