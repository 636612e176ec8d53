/**
 * A small RFC 4180 CSV parser: comma-separated fields, optional double-quoted
 * fields that may contain commas, line breaks and doubled quotes (`""`), and
 * records separated by LF or CRLF. A trailing line break does not produce an
 * empty record, and a leading byte-order mark is ignored.
 */

interface ParserState {
  readonly records: string[][];
  record: string[];
  field: string;
  inQuotes: boolean;
  fieldWasQuoted: boolean;
}

/**
 * Parses CSV text into rows of string fields (the header row, if any, is
 * returned as the first row).
 *
 * @throws Error when a quoted field is not closed before the end of the text.
 */
export function parseCsv(text: string): string[][] {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const state: ParserState = {
    records: [],
    record: [],
    field: "",
    inQuotes: false,
    fieldWasQuoted: false,
  };
  let index = 0;
  while (index < source.length) {
    index = state.inQuotes ? readQuoted(source, index, state) : readPlain(source, index, state);
  }
  if (state.inQuotes) {
    throw new Error("Malformed CSV: a quoted field is not closed before the end of the text");
  }
  if (state.field !== "" || state.fieldWasQuoted || state.record.length > 0) {
    endRecord(state);
  }
  return state.records;
}

function readQuoted(source: string, index: number, state: ParserState): number {
  const character = source[index];
  if (character !== '"') {
    state.field += character;
    return index + 1;
  }
  if (source[index + 1] === '"') {
    state.field += '"';
    return index + 2;
  }
  state.inQuotes = false;
  return index + 1;
}

function readPlain(source: string, index: number, state: ParserState): number {
  const character = source[index];
  if (character === '"' && state.field === "" && !state.fieldWasQuoted) {
    state.inQuotes = true;
    state.fieldWasQuoted = true;
    return index + 1;
  }
  if (character === ",") {
    endField(state);
    return index + 1;
  }
  if (character === "\r" && source[index + 1] === "\n") {
    endRecord(state);
    return index + 2;
  }
  if (character === "\n" || character === "\r") {
    endRecord(state);
    return index + 1;
  }
  state.field += character;
  return index + 1;
}

function endField(state: ParserState): void {
  state.record.push(state.field);
  state.field = "";
  state.fieldWasQuoted = false;
}

function endRecord(state: ParserState): void {
  endField(state);
  state.records.push(state.record);
  state.record = [];
}

/**
 * Parses CSV text whose first row is a header into one object per data row,
 * keyed by column name. Missing trailing fields read as empty strings.
 */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const [header = [], ...rows] = parseCsv(text);
  return rows
    .filter((row) => row.length > 1 || (row[0] ?? "") !== "")
    .map((row) => Object.fromEntries(header.map((column, index) => [column, row[index] ?? ""])));
}
