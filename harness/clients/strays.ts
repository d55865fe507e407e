import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes a client left behind outside its process group: a grandchild that
 * called setsid() (a daemon's double fork) is no longer in the group the
 * harness kills, and once its parent is gone nothing links it to the client.
 * What still does is its environment: it inherited the client's, and the
 * client's holds a value unique to the case (CONFORM_WORKDIR, a fresh
 * directory). A process that also scrubs its environment is beyond this.
 *
 * Only processes started since the client are read: Linux hands out pids in
 * order, modulo pid_max, and /proc/sys/kernel/ns_last_pid is the latest, so a
 * sweep reads a handful of /proc entries instead of every process's.
 */

function readNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

const PID_MAX = readNumber('/proc/sys/kernel/pid_max');

/** Whether `pid` was handed out in [first, last], counting around pid_max. */
function inRange(pid: number, first: number, last: number | undefined): boolean {
  if (last === undefined || PID_MAX === undefined) return true;
  const span = (last - first + PID_MAX) % PID_MAX;
  return (pid - first + PID_MAX) % PID_MAX <= span;
}

/** Whether the NUL-separated environment `environ` holds exactly `entry` (`NAME=value`). */
function holds(environ: Buffer, entry: Buffer): boolean {
  for (let at = environ.indexOf(entry); at >= 0; at = environ.indexOf(entry, at + 1)) {
    const startsEntry = at === 0 || environ[at - 1] === 0;
    const endsEntry = at + entry.length === environ.length || environ[at + entry.length] === 0;
    if (startsEntry && endsEntry) return true;
  }
  return false;
}

/** Live processes started at or after `firstPid` whose environment holds `NAME=value`. */
export function findStrays(firstPid: number, name: string, value: string): number[] {
  const entry = Buffer.from(`${name}=${value}`);
  const last = readNumber('/proc/sys/kernel/ns_last_pid');
  let pids: string[];
  try {
    pids = readdirSync('/proc');
  } catch {
    return []; // no /proc: not Linux, nothing to sweep with
  }
  return pids.flatMap((p) => {
    const pid = Number(p);
    if (!Number.isInteger(pid) || pid === process.pid || !inRange(pid, firstPid, last)) return [];
    try {
      return holds(readFileSync(`/proc/${pid}/environ`), entry) ? [pid] : [];
    } catch {
      return []; // gone, or not ours to read
    }
  });
}

/**
 * Kills every stray (SIGKILL), looking again after each round in case one
 * forked before it died; returns how many it killed.
 */
export function killStrays(firstPid: number, name: string, value: string): number {
  const killed = new Set<number>();
  for (let round = 0; round < 5; round++) {
    const strays = findStrays(firstPid, name, value);
    if (!strays.length) break;
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // ESRCH: it ended on its own meanwhile.
      }
    }
  }
  return killed.size;
}
