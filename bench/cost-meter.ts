// Cost per unit of work, from counters read before and after: API requests by verb and resource
// (the operator's own metric), CPU of the operator (its metric), of kube-apiserver and etcd (/proc),
// and PostgreSQL statements (pg_stat_statements). Ratios of one run hold on a noisy host where
// wall-clock times do not.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type pg from 'pg';

export interface CostSnapshot {
  /** "verb resource" -> count. */
  requests: Map<string, number>;
  operatorCpuMs: number;
  apiserverCpuMs: number;
  etcdCpuMs: number;
  postgresActions: number;
}

export const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU of a process, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond) * 1000;
}

/** Parses the operator's request counter: `dbuser_operator_kubernetes_requests{verb="patch",resource="secrets"} 12`. */
export function requestCounts(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of metrics.matchAll(/^dbuser_operator_kubernetes_requests\{([^}]*)\} (\S+)$/gm)) {
    const labels = new Map([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1], label[2]]));
    counts.set(`${labels.get('verb') ?? '?'} ${labels.get('resource') ?? '?'}`, Number(match[2]));
  }
  return counts;
}

export function operatorCpuMs(metrics: string): number {
  const line = /^process_cpu_seconds_total (\S+)$/m.exec(metrics);
  return line ? Number(line[1]) * 1000 : Number.NaN;
}

/** Statements PostgreSQL ran, except the benchmark's own reads of pg_stat_statements. */
export async function postgresActions(admin: pg.Pool): Promise<number> {
  const result = await admin.query<{ calls: string | null }>("SELECT sum(calls) AS calls FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'");
  return Number(result.rows[0]?.calls ?? 0);
}

export interface CostSources {
  operatorMetrics: () => Promise<string>;
  processIds: () => { apiserver: number | undefined; etcd: number | undefined };
  admin: pg.Pool;
}

export async function snapshot(sources: CostSources): Promise<CostSnapshot> {
  const metrics = await sources.operatorMetrics();
  const { apiserver, etcd } = sources.processIds();
  return {
    requests: requestCounts(metrics),
    operatorCpuMs: operatorCpuMs(metrics),
    apiserverCpuMs: processCpuMs(apiserver),
    etcdCpuMs: processCpuMs(etcd),
    postgresActions: await postgresActions(sources.admin),
  };
}

export interface CostPerUnit {
  /** ["verb resource", requests per unit, requests in all], only those that moved. */
  requests: [string, number, number][];
  requestsInAll: number;
  operatorCpuMs: number;
  apiserverCpuMs: number;
  etcdCpuMs: number;
  postgresActions: number;
}

export function perUnit(before: CostSnapshot, after: CostSnapshot, units: number): CostPerUnit {
  const requests = [...after.requests]
    .map(([key, count]): [string, number, number] => {
      const moved = count - (before.requests.get(key) ?? 0);
      return [key, moved / units, moved];
    })
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return {
    requests,
    requestsInAll: requests.reduce((sum, [, count]) => sum + count, 0),
    operatorCpuMs: (after.operatorCpuMs - before.operatorCpuMs) / units,
    apiserverCpuMs: (after.apiserverCpuMs - before.apiserverCpuMs) / units,
    etcdCpuMs: (after.etcdCpuMs - before.etcdCpuMs) / units,
    postgresActions: (after.postgresActions - before.postgresActions) / units,
  };
}

const writeVerbs = new Set(['create', 'update', 'patch', 'delete']);

/** Write requests per unit (create, update, patch, delete of any resource). */
export function writesPerUnit(cost: CostPerUnit): number {
  return cost.requests.filter(([key]) => writeVerbs.has(key.split(' ')[0] ?? '')).reduce((sum, [, perUnit]) => sum + perUnit, 0);
}

export function formatRequests(cost: CostPerUnit): string {
  if (cost.requests.length === 0) return '0 requests';
  const each = cost.requests.map(([key, perUnit, total]) => (perUnit >= 0.01 ? `${perUnit.toFixed(2)} ${key}` : `${key} ${total} in all`));
  return `${cost.requestsInAll.toFixed(2)} requests: ${each.join(', ')}`;
}
