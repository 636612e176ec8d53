/**
 * The HTTP endpoints of `signalbox serve` for embedding (`signalbox/server`): MCP over
 * Streamable HTTP and the chat endpoints, as a server of their own or as a request
 * handler to mount in yours. A separate entry so the HTTP and MCP server code loads
 * only for those who use it.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Runtime } from "signalbox";
 * import { createHttpHandler } from "signalbox/server";
 *
 * const signalbox = createHttpHandler(runtime);
 * createServer((request, response) => {
 *   if (request.url?.startsWith("/mcp")) return void signalbox.handle(request, response);
 *   response.end("my app");
 * }).listen(8080, "127.0.0.1");
 * ```
 */

export { type StdioStreams, serveStdio } from "./mcp/serve-stdio.ts";
export {
  createHttpHandler,
  type HttpServerOptions,
  MCP_PATH,
  type SignalboxHttpHandler,
  type SignalboxHttpServer,
  startHttpServer,
} from "./server/http-server.ts";
