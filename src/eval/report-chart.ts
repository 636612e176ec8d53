import type { CoveragePoint } from "./types.ts";

/** One line of the accuracy-vs-coverage chart. */
export interface ChartSeries {
  readonly name: string;
  readonly curve: readonly CoveragePoint[];
  /** Where the configuration actually operates (its coverage and selective accuracy). */
  readonly point: { readonly coverage: number; readonly accuracy: number } | null;
}

const COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2"];
const WIDTH = 560;
const HEIGHT = 340;
const MARGIN = { left: 56, right: 16, top: 16, bottom: 44 };

/** Escapes text for HTML and SVG. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function scales(series: readonly ChartSeries[]) {
  const lowest = Math.min(
    ...series.flatMap((line) => [
      ...line.curve.map((point) => point.accuracy),
      line.point?.accuracy ?? 1,
    ]),
  );
  const floor = Math.max(0, Math.min(0.9, Math.floor(lowest * 10) / 10));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    floor,
    x: (coverage: number) => MARGIN.left + coverage * plotWidth,
    y: (accuracy: number) => MARGIN.top + (1 - (accuracy - floor) / (1 - floor)) * plotHeight,
  };
}

function axes(scale: ReturnType<typeof scales>): string[] {
  const parts: string[] = [];
  for (let tick = 0; tick <= 10; tick += 2) {
    const x = scale.x(tick / 10);
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${HEIGHT - MARGIN.bottom}" class="grid"/>`,
    );
    parts.push(
      `<text x="${x}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${tick * 10}%</text>`,
    );
  }
  const steps = 5;
  for (let index = 0; index <= steps; index += 1) {
    const accuracy = scale.floor + ((1 - scale.floor) * index) / steps;
    const y = scale.y(accuracy);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${WIDTH - MARGIN.right}" y2="${y}" class="grid"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${Math.round(accuracy * 100)}%</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2}" y="${HEIGHT - 6}" text-anchor="middle">coverage (share decided without escalating)</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) / 2}) rotate(-90)" text-anchor="middle">accuracy on decided cases</text>`,
  );
  return parts;
}

function line(series: ChartSeries, color: string, scale: ReturnType<typeof scales>): string[] {
  const points = series.curve.map(
    (point) => `${scale.x(point.coverage).toFixed(1)},${scale.y(point.accuracy).toFixed(1)}`,
  );
  const parts = [
    `<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="2"><title>${escapeHtml(series.name)}</title></polyline>`,
  ];
  if (series.point !== null) {
    const { coverage, accuracy } = series.point;
    parts.push(
      `<circle cx="${scale.x(coverage).toFixed(1)}" cy="${scale.y(accuracy).toFixed(1)}" r="5" fill="${color}"><title>${escapeHtml(series.name)}: ${(accuracy * 100).toFixed(1)}% accurate on ${(coverage * 100).toFixed(1)}% decided</title></circle>`,
    );
  }
  return parts;
}

/**
 * An inline SVG of accuracy against coverage: each line is what a configuration
 * would score deciding only above each confidence; the dot is where it runs.
 */
export function coverageChart(series: readonly ChartSeries[]): string {
  const scale = scales(series);
  const lines = series.flatMap((entry, index) =>
    line(entry, COLORS[index % COLORS.length] ?? "#000", scale),
  );
  // The legend sits below the plot, never over the curves (issue 15).
  const legendHeight = series.length * 16 + 8;
  const height = HEIGHT + legendHeight;
  const legend = series.map((entry, index) => {
    const y = HEIGHT + 12 + index * 16;
    const color = COLORS[index % COLORS.length] ?? "#000";
    return `<rect x="${MARGIN.left}" y="${y - 9}" width="10" height="10" fill="${color}"/><text x="${MARGIN.left + 16}" y="${y}">${escapeHtml(entry.name)}: line = deciding at or above each confidence, dot = where it runs</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="accuracy against coverage">`,
    ...axes(scale),
    ...lines,
    ...legend,
    "</svg>",
  ].join("\n");
}
