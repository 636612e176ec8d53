/**
 * Confidence calibration for the lexical classifier: fits the softmax
 * temperature on held-out predictions so that `softmax(logits / temperature)`
 * at the top label matches how often the top label is right. It minimises the
 * binary cross-entropy of "top label correct", with Platt's smoothed targets,
 * so that a small, error-free held-out set cannot push confidences to 1.
 */

/** One held-out prediction: the model's logits and the true label. */
export interface CalibrationSample {
  readonly logits: Float64Array;
  readonly label: number;
}

/** Temperature used when there is nothing to calibrate on. */
export const FALLBACK_TEMPERATURE = 1;

const MINIMUM_LOG_TEMPERATURE = Math.log(0.01);
const MAXIMUM_LOG_TEMPERATURE = Math.log(100);
const GRID_STEPS = 20;
const REFINE_STEPS = 20;

interface PreparedSample {
  /** Differences `logit[j] - logit[top]` (all <= 0), one per label. */
  readonly gaps: Float64Array;
  readonly correct: boolean;
}

/** Index of the largest value (the first one on ties). */
export function argMax(values: Float64Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index += 1) {
    if ((values[index] ?? 0) > (values[best] ?? 0)) best = index;
  }
  return best;
}

function prepare(sample: CalibrationSample): PreparedSample {
  const top = argMax(sample.logits);
  const topLogit = sample.logits[top] ?? 0;
  const gaps = sample.logits.map((logit) => logit - topLogit);
  return { gaps, correct: top === sample.label };
}

function confidenceOf(sample: PreparedSample, temperature: number): number {
  let total = 0;
  for (const gap of sample.gaps) total += Math.exp(gap / temperature);
  return 1 / total;
}

function loss(
  samples: readonly PreparedSample[],
  logTemperature: number,
  targets: readonly [number, number],
): number {
  const temperature = Math.exp(logTemperature);
  const [correctTarget, wrongTarget] = targets;
  let total = 0;
  for (const sample of samples) {
    const confidence = Math.min(1 - 1e-12, Math.max(1e-12, confidenceOf(sample, temperature)));
    const target = sample.correct ? correctTarget : wrongTarget;
    total -= target * Math.log(confidence) + (1 - target) * Math.log(1 - confidence);
  }
  return total;
}

/**
 * Fits the softmax temperature on held-out predictions (see the module
 * comment). Returns {@link FALLBACK_TEMPERATURE} when `samples` is empty.
 */
export function fitTemperature(samples: readonly CalibrationSample[]): number {
  if (samples.length === 0) return FALLBACK_TEMPERATURE;
  const prepared = samples.map(prepare);
  const correctCount = prepared.filter((sample) => sample.correct).length;
  const wrongCount = prepared.length - correctCount;
  const targets: [number, number] = [(correctCount + 1) / (correctCount + 2), 1 / (wrongCount + 2)];
  const objective = (logTemperature: number): number => loss(prepared, logTemperature, targets);
  const width = (MAXIMUM_LOG_TEMPERATURE - MINIMUM_LOG_TEMPERATURE) / GRID_STEPS;
  let best = MINIMUM_LOG_TEMPERATURE;
  let bestLoss = Number.POSITIVE_INFINITY;
  for (let step = 0; step <= GRID_STEPS; step += 1) {
    const candidate = MINIMUM_LOG_TEMPERATURE + step * width;
    const candidateLoss = objective(candidate);
    if (candidateLoss < bestLoss) {
      best = candidate;
      bestLoss = candidateLoss;
    }
  }
  return Math.exp(goldenSection(objective, best - width, best + width));
}

/** Minimises a unimodal function on [low, high] by golden-section search. */
function goldenSection(objective: (point: number) => number, low: number, high: number): number {
  const ratio = (Math.sqrt(5) - 1) / 2;
  let left = low;
  let right = high;
  let first = right - ratio * (right - left);
  let second = left + ratio * (right - left);
  let firstValue = objective(first);
  let secondValue = objective(second);
  for (let step = 0; step < REFINE_STEPS; step += 1) {
    if (firstValue <= secondValue) {
      right = second;
      second = first;
      secondValue = firstValue;
      first = right - ratio * (right - left);
      firstValue = objective(first);
    } else {
      left = first;
      first = second;
      firstValue = secondValue;
      second = left + ratio * (right - left);
      secondValue = objective(second);
    }
  }
  return (left + right) / 2;
}
