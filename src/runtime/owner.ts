import { hostname } from "node:os";

/** This process, as it signs the runs it drives: `pid@host`. */
export function currentOwner(): string {
  return `${process.pid}@${hostname()}`;
}

/** True when `owner` names a process on this host that no longer exists. */
export function isOwnerDead(owner: string | null): boolean {
  if (owner === null) return true;
  const [pid, host] = owner.split("@");
  if (host !== hostname() || pid === undefined) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
