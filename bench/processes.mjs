/** The CPU of the `wrangler dev` processes the bench measures, read from /proc/<pid>/stat (Linux). */
import { readFileSync, readdirSync } from 'node:fs'

const CLK_TCK = 100 // USER_HZ on Linux

// ---------- processes and CPU ----------
export function processTable() {
  const table = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const comm = stat.slice(stat.indexOf('(') + 1, close)
      const fields = stat.slice(close + 2).split(' ')
      table.push({ pid: Number(entry), comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) })
    } catch {}
  }
  return table
}

/** The workerd processes descending from `rootPid`. */
export function workerdPids(rootPid) {
  const table = processTable()
  const children = new Map()
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const found = []
  const walk = (pid) => {
    for (const child of children.get(pid) ?? []) {
      if (child.comm.startsWith('workerd')) found.push(child.pid)
      walk(child.pid)
    }
  }
  walk(rootPid)
  return found
}

/** CPU (user + system) used so far by these processes, in ms. */
export const cpuMs = (pids) => {
  const byPid = new Map(processTable().map((p) => [p.pid, p.ticks]))
  return pids.reduce((sum, pid) => sum + (byPid.get(pid) ?? 0), 0) * (1000 / CLK_TCK)
}
