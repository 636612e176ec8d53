/** Timing helpers for the benchmarks: interleaved variants, wall and CPU time, medians. */

/** One timed call. */
export interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Medians over the timed calls of one variant. */
export interface Summary {
  readonly iterations: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Median over rounds of this variant's time / the baseline's time in the same round. */
  readonly wallRatio: number;
  readonly cpuRatio: number;
}

export interface InterleaveOptions {
  /** Untimed rounds before measuring (JIT, SQLite setup, caches). */
  readonly warmup: number;
  /** Measure at least this many rounds… */
  readonly minRounds: number;
  /** …and at most this many… */
  readonly maxRounds: number;
  /** …stopping once this much wall time has been spent measuring. */
  readonly budgetMs: number;
  /** Untimed, before every timed call: leave no debt (e.g. WAL pages) to the next variant. */
  readonly settle?: () => void;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timeOnce(run: () => Promise<unknown>): Promise<Sample> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * Runs every variant once per round, rotating the order each round (A B C,
 * B C A, C A B, …) so drift and machine noise hit all of them alike.
 * Returns per variant the median wall and CPU time, and the median of its
 * per-round ratio to `baseline` (paired, so load changing between rounds cancels).
 */
export async function interleave<K extends string>(
  variants: Readonly<Record<K, () => Promise<unknown>>>,
  baseline: NoInfer<K>,
  options: InterleaveOptions,
): Promise<Record<K, Summary>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as Sample[]])) as Record<
    K,
    Sample[]
  >;
  const settle = options.settle ?? (() => {});
  const order = (round: number) =>
    names.map((_, index) => names[(index + round) % names.length] as K);
  for (let round = 0; round < options.warmup; round += 1) {
    for (const name of order(round)) await variants[name]();
  }
  const started = performance.now();
  for (let round = 0; round < options.maxRounds; round += 1) {
    if (round >= options.minRounds && performance.now() - started > options.budgetMs) break;
    for (const name of order(round)) {
      settle();
      samples[name].push(await timeOnce(variants[name]));
    }
  }
  const base = samples[baseline];
  const ratios = (name: K, pick: (sample: Sample) => number) =>
    median(samples[name].map((sample, round) => pick(sample) / pick(base[round] as Sample)));
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        iterations: samples[name].length,
        wallMs: median(samples[name].map((sample) => sample.wallMs)),
        cpuMs: median(samples[name].map((sample) => sample.cpuMs)),
        wallRatio: ratios(name, (sample) => sample.wallMs),
        cpuRatio: ratios(name, (sample) => sample.cpuMs),
      },
    ]),
  ) as Record<K, Summary>;
}
