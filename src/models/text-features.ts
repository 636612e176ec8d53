/**
 * Turns short texts into sparse TF-IDF vectors built from word n-grams and
 * character n-grams taken inside word boundaries (sublinear term frequency,
 * smoothed inverse document frequency). Features are hashed to 32-bit keys and
 * then indexed by a vocabulary learnt from the training texts.
 *
 * The word block and the character block are each L2-normalised, then mixed.
 * Features never seen in training still count towards a block's norm but carry
 * no weight, so a text made mostly of unknown words gets a short vector: its
 * norm (at most 1) measures how much of the text the vocabulary covers.
 */

import { HashIndex } from "./hash-index.ts";

/** Options for {@link createTextFeaturizer}; every field has a documented default. */
export interface TextFeatureOptions {
  /** Longest word n-gram (1 = unigrams only). Default 2. */
  readonly wordNgramMax?: number;
  /** Shortest character n-gram, counted on the word padded with spaces. Default 3. */
  readonly charNgramMin?: number;
  /** Longest character n-gram (0 disables character features). Default 4. */
  readonly charNgramMax?: number;
  /** Weight of the character block relative to the word block. Default 1. */
  readonly charWeight?: number;
  /** Features seen in fewer training texts than this are dropped. Default 1. */
  readonly minDocumentFrequency?: number;
}

/** A sparse vector: parallel arrays of feature indices and their values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** Hashed feature counts of one text: distinct feature keys (ascending) and their counts. */
export interface FeatureCounts {
  readonly keys: Uint32Array;
  readonly counts: Uint16Array;
}

/** What a fitted vectorizer learnt, as plain arrays: enough to rebuild it with {@link restoreTextVectorizer}. */
export interface VectorizerState {
  /** Hashed feature keys, in vocabulary order. */
  readonly keys: Uint32Array;
  /** Inverse document frequency of each key. */
  readonly inverseFrequency: Float64Array;
  /** Inverse document frequency given to features absent from the vocabulary. */
  readonly unseenInverseFrequency: number;
}

/** A fitted vectorizer that maps texts to TF-IDF vectors of norm at most 1. */
export interface TextVectorizer {
  /** The vocabulary and inverse document frequencies it learnt. */
  state(): VectorizerState;
  /** Number of features in the vocabulary. */
  readonly dimension: number;
  /** Vectorises one text; the vector is empty when no known feature occurs. */
  vectorize(text: string): SparseVector;
  /** Vectorises counts produced by the same featurizer's `count`. */
  vectorizeCounts(counts: FeatureCounts): SparseVector;
}

/** Extracts features from texts and fits vectorizers on counted texts. */
export interface TextFeaturizer {
  /** Counts the hashed word and character n-grams of a text. */
  count(text: string): FeatureCounts;
  /** Learns a vocabulary and inverse document frequencies from counted training texts. */
  fit(documents: readonly FeatureCounts[]): TextVectorizer;
}

type ResolvedFeatureOptions = Required<TextFeatureOptions>;

function resolveFeatureOptions(options: TextFeatureOptions): ResolvedFeatureOptions {
  return {
    wordNgramMax: options.wordNgramMax ?? 2,
    charNgramMin: Math.max(1, options.charNgramMin ?? 3),
    charNgramMax: options.charNgramMax ?? 4,
    charWeight: options.charWeight ?? 1,
    minDocumentFrequency: options.minDocumentFrequency ?? 1,
  };
}

const WORD_SEED = 0x811c9dc5;
const CHARACTER_SEED = 0x2545f491;

/**
 * Splits a text into lower-case word tokens: accents are removed, apostrophes
 * inside words are dropped ("don't" becomes "dont"), and any other character
 * that is not a letter or digit separates words.
 */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/(\p{L})['’`](\p{L})/gu, "$1$2");
  return folded.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** FNV-1a step: mixes one code into a 32-bit hash. */
function mix(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193) >>> 0;
}

/** Murmur3 finaliser, so that related n-grams land far apart. */
function finalize(hash: number): number {
  let mixed = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
  return (mixed ^ (mixed >>> 16)) >>> 0;
}

function hashString(seed: number, text: string): number {
  let hash = seed;
  for (let position = 0; position < text.length; position += 1)
    hash = mix(hash, text.charCodeAt(position));
  return hash;
}

/** Counts hashed features: word features get even keys, character features odd keys. */
function countFeatures(text: string, options: ResolvedFeatureOptions): FeatureCounts {
  const found: number[] = [];
  const add = (key: number): void => {
    found.push(key);
  };
  const tokens = tokenize(text);
  const wordHashes = tokens.map((token) => hashString(WORD_SEED, token));
  for (let size = 1; size <= options.wordNgramMax; size += 1) {
    for (let start = 0; start + size <= wordHashes.length; start += 1) {
      let hash = mix(WORD_SEED, size);
      for (let offset = 0; offset < size; offset += 1)
        hash = mix(hash, wordHashes[start + offset] ?? 0);
      add((finalize(hash) & ~1) >>> 0);
    }
  }
  for (const token of tokens) addCharacterNgrams(` ${token} `, options, add);
  return runLengths(Uint32Array.from(found).sort());
}

/** Collapses sorted keys into distinct keys and their counts. */
function runLengths(sorted: Uint32Array): FeatureCounts {
  const keys = new Uint32Array(sorted.length);
  const counts = new Uint16Array(sorted.length);
  let size = 0;
  sorted.forEach((key, position) => {
    if (position > 0 && sorted[position - 1] === key) {
      counts[size - 1] = Math.min(65535, (counts[size - 1] ?? 0) + 1);
      return;
    }
    keys[size] = key;
    counts[size] = 1;
    size += 1;
  });
  return { keys: keys.slice(0, size), counts: counts.slice(0, size) };
}

function addCharacterNgrams(
  padded: string,
  options: ResolvedFeatureOptions,
  add: (key: number) => void,
): void {
  const { charNgramMin, charNgramMax } = options;
  if (charNgramMax <= 0) return;
  if (padded.length < charNgramMin) {
    add((finalize(hashString(CHARACTER_SEED, padded)) | 1) >>> 0);
    return;
  }
  for (let start = 0; start + charNgramMin <= padded.length; start += 1) {
    let hash = CHARACTER_SEED;
    const end = Math.min(padded.length, start + charNgramMax);
    for (let position = start; position < end; position += 1) {
      hash = mix(hash, padded.charCodeAt(position));
      if (position - start + 1 >= charNgramMin) add((finalize(hash) | 1) >>> 0);
    }
  }
}

interface Vocabulary {
  readonly index: HashIndex;
  readonly inverseFrequency: Float64Array;
  /** Inverse document frequency given to features absent from the vocabulary. */
  readonly unseenInverseFrequency: number;
}

function buildVocabulary(documents: readonly FeatureCounts[], minimum: number): Vocabulary {
  const frequency = new HashIndex(documents.length * 8);
  for (const document of documents) {
    for (const key of document.keys) frequency.set(key, Math.max(0, frequency.get(key)) + 1);
  }
  const index = new HashIndex(frequency.size);
  const kept: number[] = [];
  frequency.forEach((key, count) => {
    if (count < minimum) return;
    index.set(key, kept.length);
    kept.push(Math.log((1 + documents.length) / (1 + count)) + 1);
  });
  const unseenInverseFrequency = Math.log(1 + documents.length) + 1;
  return { index, inverseFrequency: Float64Array.from(kept), unseenInverseFrequency };
}

/**
 * Scales that L2-normalise the word block and the character block (squared
 * norms given, unseen features included) and mix them with weights 1 and
 * `charWeight`, so a text whose features are all known gets a unit vector.
 */
function blockScales(wordNorm: number, charNorm: number, charWeight: number): [number, number] {
  const wordWeight = wordNorm > 0 ? 1 : 0;
  const characterWeight = charNorm > 0 ? charWeight : 0;
  const total = Math.hypot(wordWeight, characterWeight) || 1;
  return [
    wordWeight / total / Math.sqrt(wordNorm || 1),
    characterWeight / total / Math.sqrt(charNorm || 1),
  ];
}

function toVector(
  document: FeatureCounts,
  vocabulary: Vocabulary,
  charWeight: number,
): SparseVector {
  const size = document.keys.length;
  const indices = new Int32Array(size);
  const values = new Float32Array(size);
  const isCharacter = new Uint8Array(size);
  const norms = [0, 0];
  let kept = 0;
  for (let entry = 0; entry < size; entry += 1) {
    const key = document.keys[entry] ?? 0;
    const position = vocabulary.index.get(key);
    const frequency =
      position < 0
        ? vocabulary.unseenInverseFrequency
        : (vocabulary.inverseFrequency[position] ?? 1);
    const value = (1 + Math.log(document.counts[entry] ?? 1)) * frequency;
    norms[key & 1] = (norms[key & 1] ?? 0) + value * value;
    if (position < 0) continue;
    indices[kept] = position;
    values[kept] = value;
    isCharacter[kept] = key & 1;
    kept += 1;
  }
  const scales = blockScales(norms[0] ?? 0, norms[1] ?? 0, charWeight);
  for (let slot = 0; slot < kept; slot += 1) {
    values[slot] = (values[slot] ?? 0) * (scales[isCharacter[slot] ?? 0] ?? 0);
  }
  return { indices: indices.slice(0, kept), values: values.slice(0, kept) };
}

function vocabularyState(vocabulary: Vocabulary): VectorizerState {
  const keys = new Uint32Array(vocabulary.index.size);
  vocabulary.index.forEach((key, position) => {
    keys[position] = key;
  });
  return {
    keys,
    inverseFrequency: Float64Array.from(vocabulary.inverseFrequency),
    unseenInverseFrequency: vocabulary.unseenInverseFrequency,
  };
}

function vectorizerOf(vocabulary: Vocabulary, resolved: ResolvedFeatureOptions): TextVectorizer {
  const vectorizeCounts = (counts: FeatureCounts): SparseVector =>
    toVector(counts, vocabulary, resolved.charWeight);
  return {
    dimension: vocabulary.index.size,
    state: () => vocabularyState(vocabulary),
    vectorize: (text) => vectorizeCounts(countFeatures(text, resolved)),
    vectorizeCounts,
  };
}

/** Creates a featurizer with the given options (see {@link TextFeatureOptions} for defaults). */
export function createTextFeaturizer(options: TextFeatureOptions = {}): TextFeaturizer {
  const resolved = resolveFeatureOptions(options);
  return {
    count: (text) => countFeatures(text, resolved),
    fit: (documents) =>
      vectorizerOf(buildVocabulary(documents, resolved.minDocumentFrequency), resolved),
  };
}

/** The feature options with every default filled in (what a saved model records). */
export function resolvedFeatureOptions(options: TextFeatureOptions): Required<TextFeatureOptions> {
  return resolveFeatureOptions(options);
}

/**
 * Rebuilds a fitted vectorizer from its {@link VectorizerState} and the options it was fitted with.
 * @throws Error when the state's arrays differ in length
 */
export function restoreTextVectorizer(
  options: TextFeatureOptions,
  state: VectorizerState,
): TextVectorizer {
  if (state.keys.length !== state.inverseFrequency.length)
    throw new Error(
      `vectorizer state: ${state.keys.length} keys but ${state.inverseFrequency.length} inverse frequencies`,
    );
  const index = new HashIndex(state.keys.length);
  state.keys.forEach((key, position) => {
    index.set(key, position);
  });
  const vocabulary: Vocabulary = {
    index,
    inverseFrequency: Float64Array.from(state.inverseFrequency),
    unseenInverseFrequency: state.unseenInverseFrequency,
  };
  return vectorizerOf(vocabulary, resolveFeatureOptions(options));
}
