/**
 * The saved form of a trained lexical classifier: plain JSON with a format name
 * and version, typed arrays as base64 (weights as float32, which changes
 * confidences by less than 1e-5), validated with zod when read back.
 */

import { z } from "zod";
import { describeIssues } from "../validation.ts";
import type { LinearModel } from "./linear-trainer.ts";
import type { TextFeatureOptions, VectorizerState } from "./text-features.ts";

/** The format name every saved classifier carries. */
export const CLASSIFIER_FORMAT = "signalbox-lexical-classifier";
/** The version this code writes; it reads only this version. */
export const CLASSIFIER_FORMAT_VERSION = 1;

/** What a trained classifier is made of. */
export interface ClassifierParts {
  readonly labels: readonly string[];
  readonly features: Required<TextFeatureOptions>;
  readonly vocabulary: VectorizerState;
  readonly model: LinearModel;
  readonly temperature: number;
  readonly fullCoverage: number;
}

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64 text");

/** The saved classifier, as JSON. */
export const SerializedClassifierSchema = z
  .object({
    format: z.literal(CLASSIFIER_FORMAT),
    version: z.literal(CLASSIFIER_FORMAT_VERSION),
    labels: z.array(z.string().min(1)).min(1),
    features: z
      .object({
        wordNgramMax: z.number().int().min(0),
        charNgramMin: z.number().int().min(1),
        charNgramMax: z.number().int().min(0),
        charWeight: z.number().min(0),
        minDocumentFrequency: z.number().int().min(1),
      })
      .strict(),
    vocabulary: z
      .object({
        keys: Base64,
        inverseFrequency: Base64,
        unseenInverseFrequency: z.number().positive(),
      })
      .strict(),
    weights: Base64,
    steps: z.number().int().min(0),
    temperature: z.number().positive(),
    fullCoverage: z.number().min(0),
  })
  .strict();
/** A saved classifier (see {@link SerializedClassifierSchema}). */
export type SerializedClassifier = z.infer<typeof SerializedClassifierSchema>;

function toBase64(array: Uint32Array | Float32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

function fromBase64<T>(
  text: string,
  width: number,
  make: (buffer: ArrayBuffer) => T,
  field: string,
): T {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % width !== 0)
    throw new Error(
      `saved classifier: ${field} is ${bytes.length} bytes, not a multiple of ${width}`,
    );
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return make(copy);
}

/** The JSON form of a trained classifier. */
export function serializeClassifier(parts: ClassifierParts): SerializedClassifier {
  return {
    format: CLASSIFIER_FORMAT,
    version: CLASSIFIER_FORMAT_VERSION,
    labels: [...parts.labels],
    features: { ...parts.features },
    vocabulary: {
      keys: toBase64(parts.vocabulary.keys),
      inverseFrequency: toBase64(parts.vocabulary.inverseFrequency),
      unseenInverseFrequency: parts.vocabulary.unseenInverseFrequency,
    },
    weights: toBase64(Float32Array.from(parts.model.weights)),
    steps: parts.model.steps,
    temperature: parts.temperature,
    fullCoverage: parts.fullCoverage,
  };
}

/**
 * Reads a saved classifier back into its parts.
 * @throws Error naming the field when `data` is not a saved classifier of this
 *   version, or when its arrays do not fit together
 */
export function deserializeClassifier(data: unknown): ClassifierParts {
  const parsed = SerializedClassifierSchema.safeParse(data);
  if (!parsed.success)
    throw new Error(
      `not a saved lexical classifier (${CLASSIFIER_FORMAT} version ${CLASSIFIER_FORMAT_VERSION}): ${describeIssues(parsed.error.issues)}`,
    );
  const saved = parsed.data;
  const keys = fromBase64(
    saved.vocabulary.keys,
    4,
    (buffer) => new Uint32Array(buffer),
    "vocabulary.keys",
  );
  const inverseFrequency = fromBase64(
    saved.vocabulary.inverseFrequency,
    8,
    (buffer) => new Float64Array(buffer),
    "vocabulary.inverseFrequency",
  );
  const weights = Float64Array.from(
    fromBase64(saved.weights, 4, (buffer) => new Float32Array(buffer), "weights"),
  );
  if (weights.length !== keys.length * saved.labels.length)
    throw new Error(
      `saved classifier: weights has ${weights.length} values, expected ${keys.length} features × ${saved.labels.length} labels`,
    );
  return {
    labels: saved.labels,
    features: saved.features,
    vocabulary: {
      keys,
      inverseFrequency,
      unseenInverseFrequency: saved.vocabulary.unseenInverseFrequency,
    },
    model: { classCount: saved.labels.length, weights, steps: saved.steps },
    temperature: saved.temperature,
    fullCoverage: saved.fullCoverage,
  };
}
