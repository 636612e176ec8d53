import type { ChaosReport } from "./chaos.ts";

/** One chaos report as a few lines a person can read (and paste into the README). */
export function formatReport(report: ChaosReport): string {
  const faults = Object.entries(report.faults)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ");
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status} ${count}`)
    .join(", ");
  return [
    `chaos ${report.backend} seed ${report.seed}: ${report.runs} runs (${statuses})`,
    `  run ends under faults: ${report.settledUnderFaults}; faults: ${faults}`,
    `  failed runs by cause: ${
      Object.entries(report.failures)
        .map(([what, count]) => `${what} ${count}`)
        .join(", ") || "none"
    }`,
    `  LLM tier: ${report.llmAnswered} good answers, ${Object.entries(report.faults)
      .filter(([kind]) => kind.startsWith("llm_"))
      .reduce((sum, [, count]) => sum + count, 0)} faulty ones`,
    `  approvals decided: ${report.approvals.approved} approved, ${report.approvals.rejected} rejected`,
    `  effects performed: ${report.effects}; repeats a key-honouring downstream absorbed: ${report.repeatsAbsorbedByKey}`,
    `  invariants: ${report.checks} checked, ${report.violations.length} violated`,
    ...report.violations.slice(0, 20).map((violation) => `    ✗ ${violation}`),
  ].join("\n");
}
