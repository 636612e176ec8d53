import { describe, expect, it } from "vitest";
import {
  scoreVector,
  softmaxInPlace,
  type TrainingRow,
  trainLinearModel,
} from "../../src/models/linear-trainer.ts";

/** Three classes, each with its own feature: perfectly separable. */
const ROWS: TrainingRow[] = [0, 1, 2].flatMap((label) =>
  Array.from({ length: 5 }, () => ({
    vector: { indices: Int32Array.of(label), values: Float32Array.of(1) },
    label,
  })),
);

function probabilities(smoothing: number | undefined): Float64Array[] {
  const model = trainLinearModel(ROWS, 3, 3, { labelSmoothing: smoothing, minimumSteps: 3000 });
  return [0, 1, 2].map((feature) => {
    const output = new Float64Array(3);
    scoreVector(model, { indices: Int32Array.of(feature), values: Float32Array.of(1) }, output);
    softmaxInPlace(output);
    return output;
  });
}

describe("trainLinearModel label smoothing", () => {
  it("keeps every prediction right but stops the top probability short of 1", () => {
    const plain = probabilities(undefined);
    const smoothed = probabilities(0.3);
    plain.forEach((row, label) => {
      expect(Math.max(...row)).toBe(row[label]);
      expect(row[label]).toBeGreaterThan(0.97);
    });
    smoothed.forEach((row, label) => {
      expect(Math.max(...row)).toBe(row[label]);
      // Cross-entropy against targets 0.7 / 0.15 / 0.15 is minimised at those probabilities.
      expect(row[label]).toBeLessThan(0.8);
      expect(row[label]).toBeGreaterThan(0.6);
    });
  });

  it("is the plain one-hot training at 0", () => {
    const plain = trainLinearModel(ROWS, 3, 3, {});
    const zero = trainLinearModel(ROWS, 3, 3, { labelSmoothing: 0 });
    expect(Array.from(zero.weights)).toEqual(Array.from(plain.weights));
  });
});
