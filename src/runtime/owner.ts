import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

/**
 * A name for one runtime instance as it signs the runs it drives:
 * `<pid>@<host>/<random>`. Unique per instance, so two runtimes in one process
 * (or a pid reused after a restart) never share a claim; liveness is the lease, not the pid.
 */
export function createOwner(): string {
  return `${process.pid}@${hostname()}/${randomUUID().slice(0, 8)}`;
}
