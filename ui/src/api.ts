// The dashboard's only way to the server: the JSON API (docs/api.md), with the bearer
// token and name kept in sessionStorage when the server asks for them.

const TOKEN_KEY = "signalbox.token";
const USER_KEY = "signalbox.user";

/** An answer other than 2xx, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const authListeners = new Set<Listener>();

/** Called when the server answers 401: the app shows the sign-in page. */
export function onUnauthorized(listener: Listener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

export function signIn(token: string, user: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (user.trim() !== "") sessionStorage.setItem(USER_KEY, user.trim());
  else sessionStorage.removeItem(USER_KEY);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

export function signedInAs(): string | null {
  return sessionStorage.getItem(USER_KEY);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const result: Record<string, string> = { ...extra };
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = sessionStorage.getItem(USER_KEY);
  if (token !== null) result.Authorization = `Bearer ${token}`;
  if (user !== null) result["X-Signalbox-User"] = user;
  return result;
}

async function failure(response: Response): Promise<ApiError> {
  if (response.status === 401) for (const listener of authListeners) listener();
  let message = `HTTP ${response.status}`;
  let parameter: string | undefined;
  try {
    const body = (await response.json()) as { error?: { message?: string; parameter?: string } };
    message = body.error?.message ?? message;
    parameter = body.error?.parameter;
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(response.status, message, parameter);
}

/** GETs a JSON endpoint. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { headers: headers(), signal });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** POSTs JSON and reads the JSON answer. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/** One server-sent event. */
export interface StreamMessage {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

function parseMessage(block: string): StreamMessage | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n"), id };
}

/**
 * Reads a server-sent event stream with fetch (EventSource cannot send the bearer
 * token), calling `onMessage` for each event until the stream ends or `signal` aborts.
 */
export async function readStream(
  path: string,
  onMessage: (message: StreamMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(path, { headers: headers(), signal });
  if (!response.ok || response.body === null) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const message = parseMessage(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (message !== undefined) onMessage(message);
      end = buffer.indexOf("\n\n");
    }
  }
}
