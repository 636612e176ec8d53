import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ErrorCode, errorMessage, SignalboxError } from "../errors.ts";
import { parseCsvRecords } from "../models/read-csv.ts";
import type { DatasetRow } from "./suite.ts";

function isRow(value: unknown): value is DatasetRow {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonLines(text: string, path: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new SignalboxError(
        ErrorCode.ConfigInvalid,
        `${path}:${index + 1} is not valid JSON (${errorMessage(error)}); each line must be one JSON object`,
      );
    }
    if (!isRow(value))
      throw new SignalboxError(
        ErrorCode.ConfigInvalid,
        `${path}:${index + 1}: expected a JSON object`,
      );
    rows.push(value);
  });
  return rows;
}

function parseJsonArray(text: string, path: string): DatasetRow[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every(isRow))
    throw new SignalboxError(ErrorCode.ConfigInvalid, `${path}: expected a JSON array of objects`);
  return value;
}

/**
 * Reads a data set: JSONL (`.jsonl`, `.ndjson`: one object per line), JSON (an
 * array of objects) or CSV with a header row.
 * @throws SignalboxError CONFIG_INVALID when the file is missing or malformed, naming the line
 */
export async function readDataset(path: string): Promise<DatasetRow[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new SignalboxError(ErrorCode.ConfigInvalid, `cannot read the data set ${path}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === ".jsonl" || extension === ".ndjson") return parseJsonLines(text, path);
  if (extension === ".json") return parseJsonArray(text, path);
  if (extension === ".csv") return parseCsvRecords(text);
  throw new SignalboxError(
    ErrorCode.ConfigInvalid,
    `${path}: unknown data set format "${extension}"; use .jsonl, .json or .csv`,
  );
}

/**
 * Picks `limit` items spread evenly over the list (every k-th), so a limited run
 * of a data set sorted by label still sees every part of it. Deterministic.
 */
export function spreadSample<T>(items: readonly T[], limit: number | undefined): T[] {
  if (limit === undefined || limit >= items.length) return [...items];
  const picked: T[] = [];
  for (let index = 0; index < limit; index += 1) {
    const item = items[Math.floor((index * items.length) / limit)];
    if (item !== undefined) picked.push(item);
  }
  return picked;
}
