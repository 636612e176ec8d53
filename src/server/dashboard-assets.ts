import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { packageFile } from "../package-files.ts";
import { sendJson } from "./http-responses.ts";

/** The built dashboard's files and their types; nothing else under /ui/ is served. */
const ASSETS: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

/**
 * Same-origin only: no inline script, no third-party anything; the page cannot be
 * framed (clickjacking an approve button).
 */
const SECURITY_HEADERS = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};

/**
 * Where the built dashboard is: the package's `dist/ui` (built by `npm run build`, from
 * the sources too), when it was built.
 */
export function defaultDashboardDirectory(): string | undefined {
  const directory = packageFile("dist", "ui");
  return existsSync(join(directory, "index.html")) ? directory : undefined;
}

/** True for the paths of the dashboard: `/` and `/ui/…`. */
export function isDashboardPath(path: string): boolean {
  return path === "/" || path === "/index.html" || path.startsWith("/ui/");
}

/** Serves the dashboard's page and assets, read once and kept in memory. */
export function createDashboardAssets(directory: string | undefined) {
  const cache = new Map<string, Promise<Buffer>>();
  return async (path: string, request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== "GET" && request.method !== "HEAD")
      return sendJson(response, 405, { error: { message: "use GET" } }, { Allow: "GET, HEAD" });
    const name = path === "/" || path === "/index.html" ? "index.html" : path.slice(4);
    const type = ASSETS[name];
    if (type === undefined || directory === undefined)
      return sendJson(response, 404, {
        error: {
          message:
            directory === undefined
              ? "the dashboard is not built: run npm run build"
              : `no dashboard file ${path}`,
        },
      });
    let body = cache.get(name);
    if (body === undefined) {
      body = readFile(join(directory, name));
      cache.set(name, body);
      body.catch(() => cache.delete(name));
    }
    const content = await body;
    response.writeHead(200, {
      "Content-Type": type,
      "Content-Length": content.length,
      "Cache-Control": name === "index.html" ? "no-cache" : "max-age=300",
      ...SECURITY_HEADERS,
    });
    response.end(request.method === "HEAD" ? undefined : content);
  };
}
