/** CPU time from /proc (Linux): of one process, and of the whole machine. NaN elsewhere. */
import { readFileSync } from "node:fs";

/** CPU time of a process in ms from /proc/<pid>/stat (utime + stime, clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Machine-wide CPU clock ticks from /proc/stat: busy (neither idle nor iowait), iowait, total. */
export function machineTicks(): { busy: number; iowait: number; total: number } {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = fields[3] ?? 0;
    const iowait = fields[4] ?? 0;
    return { busy: total - idle - iowait, iowait, total };
  } catch {
    return { busy: Number.NaN, iowait: Number.NaN, total: Number.NaN };
  }
}
