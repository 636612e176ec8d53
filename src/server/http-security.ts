import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { hostname, networkInterfaces } from "node:os";

/** Why a request was refused before it reached MCP. */
export interface Refusal {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]", ""]);

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

const bracketed = (address: string) => (address.includes(":") ? `[${address}]` : address);

/** The names this machine answers to, for a server bound to every interface. */
function machineNames(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((entry) => (entry ? [bracketed(entry.address.split("%")[0] ?? entry.address)] : []));
  return [hostname().toLowerCase(), ...addresses];
}

/**
 * The Host names a server accepts (DNS-rebinding protection): loopback names,
 * the bound address (every local address and the hostname for 0.0.0.0 / ::),
 * and any extra names (e.g. the name a reverse proxy forwards).
 */
export function allowedHostnames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const bound = WILDCARD_HOSTS.has(bindHost)
    ? machineNames()
    : [bracketed(bindHost.replace(/^\[|\]$/g, ""))];
  return new Set([...LOOPBACK_NAMES, ...bound, ...extra].map((name) => name.toLowerCase()));
}

function hostnameOf(value: string, withScheme: boolean): string | undefined {
  try {
    return new URL(withScheme ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Refuses requests whose Host (or, from browsers, Origin) is not on the allow-list. */
export function checkHostAndOrigin(
  request: IncomingMessage,
  allowed: ReadonlySet<string>,
): Refusal | undefined {
  const host = request.headers.host;
  const name = host === undefined ? undefined : hostnameOf(host, false);
  if (name === undefined || !allowed.has(name))
    return {
      status: 403,
      message: `Host "${host ?? ""}" is not allowed (DNS-rebinding protection); allowed: ${[...allowed].join(", ")}. Add names with --allowed-host.`,
    };
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  const originName = hostnameOf(origin, true);
  if (originName === undefined || !allowed.has(originName))
    return { status: 403, message: `Origin "${origin}" is not allowed (DNS-rebinding protection)` };
  return undefined;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Refuses requests without `Authorization: Bearer <token>` (compared in constant time). */
export function checkBearer(
  request: IncomingMessage,
  token: string | undefined,
): Refusal | undefined {
  if (token === undefined) return undefined;
  const header = request.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token)))
    return undefined;
  return {
    status: 401,
    message: match
      ? "invalid bearer token"
      : "missing bearer token: send Authorization: Bearer <token>",
    headers: { "WWW-Authenticate": 'Bearer realm="signalbox"' },
  };
}
