import type { EvalProgress } from "./run-eval.ts";

const BAR_WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${Math.round(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}

/**
 * One progress-bar line for a terminal (no line break):
 * `offline 1/2 [██████░░░░] 240/3080 · 12 not as expected · 96/s · eta 29s`.
 */
export function formatProgress(progress: EvalProgress, elapsedMs: number): string {
  const share = progress.total === 0 ? 1 : progress.done / progress.total;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
  const rate = elapsedMs > 0 ? progress.done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (progress.total - progress.done) / rate : Number.POSITIVE_INFINITY;
  const config =
    progress.configCount > 1
      ? `${progress.config} ${progress.configIndex + 1}/${progress.configCount}`
      : progress.config;
  return `${config} [${bar}] ${progress.done}/${progress.total} · ${progress.failed} not as expected · ${rate.toFixed(0)}/s · eta ${duration(eta)}`;
}
