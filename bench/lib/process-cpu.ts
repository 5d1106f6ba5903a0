import { readFileSync } from 'node:fs'
import pg from 'pg'

/*
 * CPU time of other processes on this machine, read from /proc (Linux): a container child, the
 * PostgreSQL backends serving it. On a shared 2-core machine CPU per request says more than
 * requests per second, and where it goes says what more cores would give.
 */

const ticksPerSecond = 100

/** User + system CPU of a process so far (µs); 0 once it is gone. Linux only. */
export function processCpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1_000_000) / ticksPerSecond
  } catch {
    return 0
  }
}

/** The summed CPU (µs) of several processes. */
export function processesCpuUs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + processCpuUs(pid), 0)
}

/** Each process's CPU so far (µs), by pid. */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, processCpuUs(pid)]))
}

/**
 * The CPU (µs) processes used between two readings: processes that appeared meanwhile count
 * whole (a pool opened a connection during the run), processes that ended meanwhile are lost
 * (their CPU is gone from /proc with them).
 */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0
  for (const [pid, cpu] of after) used += cpu - (before.get(pid) ?? 0)
  return used
}

/**
 * The PostgreSQL backends whose `application_name` is `name` (set a process's with the
 * `PGAPPNAME` environment variable): the server processes serving one container.
 */
export async function backendPids(url: string, name: string): Promise<number[]> {
  // Named itself, so it never counts as one of the backends it looks for.
  const client = new pg.Client({ connectionString: url, application_name: 'parley-bench-probe' })
  await client.connect()
  try {
    const result = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [name],
    )
    return result.rows.map((row) => row.pid)
  } finally {
    await client.end()
  }
}
