// Where a burst's time and CPU go (issue 24): the machine's CPU utilisation and each process's share
// (from /proc), PostgreSQL's CPU split between the operator's connections and the rest (the
// benchmark's logins, background processes), the statements that cost PostgreSQL the most
// (pg_stat_statements), and the p50/p99 of each step of a reconcile (the operator's histograms).
// BENCH_NOISE=1 runs a CPU-burning process beside every burst.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';
import { clockTicksPerSecond, processCpuMs } from './cost-meter.js';

const tickMs = 1000 / clockTicksPerSecond;

/** The whole machine's CPU from the first line of /proc/stat, in ms of busy and of all time (over all cores). */
function machineCpu(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const ticks = values.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * tickMs, totalMs: (busy + idle + iowait) * tickMs };
}

/** A process's CPU including its reaped children's (fields 14-17 of /proc/<pid>/stat). */
function treeCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tickMs;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (Number.isInteger(pid) && pid > 0 && parentOf(pid) === parent) children.push(pid);
  }
  return children;
}

function cpuOrUndefined(pid: number): number | undefined {
  try {
    return processCpuMs(pid);
  } catch {
    return undefined;
  }
}

type BackendKind = 'operator' | 'background' | 'other';

/** PostgreSQL's CPU: the postmaster with its reaped children, plus the children alive now, by kind. */
class PostgresCpu {
  /** pid -> its kind and CPU when first and last seen. */
  private readonly backends = new Map<number, { kind: BackendKind; first: number; last: number }>();
  private postmasterStart = 0;
  private liveStart = 0;

  constructor(
    private readonly postmaster: number,
    private readonly admin: pg.Pool,
  ) {}

  static async start(admin: pg.Pool): Promise<PostgresCpu> {
    const own = await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const postmaster = parentOf(own.rows[0]?.pid ?? 0);
    if (postmaster === undefined) throw new Error('cannot find the postmaster');
    const meter = new PostgresCpu(postmaster, admin);
    await meter.sample(true);
    meter.postmasterStart = treeCpuMs(postmaster);
    meter.liveStart = [...meter.backends.values()].reduce((sum, backend) => sum + backend.first, 0);
    return meter;
  }

  async sample(atStart = false): Promise<void> {
    const activity = await this.admin.query<{ pid: number; application_name: string | null; backend_type: string | null }>(
      'SELECT pid, application_name, backend_type FROM pg_stat_activity',
    );
    const kinds = new Map<number, BackendKind>(
      activity.rows.map((row) => [
        row.pid,
        row.backend_type !== 'client backend' ? 'background' : row.application_name === 'dbuser-operator' ? 'operator' : 'other',
      ]),
    );
    for (const pid of childrenOf(this.postmaster)) {
      const cpu = cpuOrUndefined(pid);
      if (cpu === undefined) continue;
      // A backend still authenticating is not in pg_stat_activity yet: 'other' until it shows there.
      const kind = kinds.get(pid);
      const known = this.backends.get(pid);
      if (known) {
        known.last = cpu;
        if (kind !== undefined) known.kind = kind;
      } else {
        this.backends.set(pid, { kind: kind ?? 'other', first: atStart ? cpu : 0, last: cpu });
      }
    }
  }

  /** CPU since start: all of PostgreSQL, and the part of each kind of backend seen alive. */
  async stop(): Promise<{ totalMs: number; operatorMs: number; backgroundMs: number }> {
    await this.sample();
    const alive = new Set(childrenOf(this.postmaster));
    let live = 0;
    let operatorMs = 0;
    let backgroundMs = 0;
    for (const [pid, backend] of this.backends) {
      if (alive.has(pid)) live += backend.last;
      const spent = backend.last - backend.first;
      if (backend.kind === 'operator') operatorMs += spent;
      if (backend.kind === 'background') backgroundMs += spent;
    }
    // Exited children moved into the postmaster's reaped-children time; the ones alive are counted directly.
    const totalMs = treeCpuMs(this.postmaster) - this.postmasterStart + live - this.liveStart;
    return { totalMs, operatorMs, backgroundMs };
  }
}

interface StatementRow {
  queryid: string;
  query: string;
  calls: number;
  total_exec_time: number;
}

async function statements(admin: pg.Pool): Promise<Map<string, StatementRow>> {
  const result = await admin.query<StatementRow>(
    "SELECT queryid::text, query, calls::float8 AS calls, total_exec_time FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'",
  );
  return new Map(result.rows.map((row) => [row.queryid, row]));
}

/** A Prometheus histogram's cumulative bucket counts by label value, e.g. {step="secret"}. */
function histogramBuckets(metrics: string, name: string, label: string | undefined): Map<string, Map<number, number>> {
  const byLabel = new Map<string, Map<number, number>>();
  for (const match of metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = new Map([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const key = label === undefined ? '' : (labels.get(label) ?? '');
    const le = labels.get('le') === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.get('le'));
    const buckets = byLabel.get(key) ?? new Map<number, number>();
    buckets.set(le, Number(match[2]));
    byLabel.set(key, buckets);
  }
  return byLabel;
}

/** A quantile of the observations between two scrapes, interpolated within its bucket (as histogram_quantile). */
function quantile(before: Map<number, number> | undefined, after: Map<number, number>, q: number): { value: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((le) => (after.get(le) ?? 0) - (before?.get(le) ?? 0));
  const count = cumulative.at(-1) ?? 0;
  if (count === 0) return { value: Number.NaN, count };
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const [i, le] of bounds.entries()) {
    const upTo = cumulative[i] ?? 0;
    if (upTo >= rank) {
      if (!Number.isFinite(le)) return { value: lower, count };
      return { value: lower + ((le - lower) * (rank - below)) / Math.max(1, upTo - below), count };
    }
    lower = le;
    below = upTo;
  }
  return { value: lower, count };
}

export interface BurstSources {
  operatorMetrics: () => Promise<string>;
  processIds: () => { apiserver: number | undefined; etcd: number | undefined };
  admin: pg.Pool;
  noisePid?: number | undefined;
}

interface Snapshot {
  at: number;
  machine: { busyMs: number; totalMs: number };
  operatorMs: number;
  apiserverMs: number;
  etcdMs: number;
  benchMs: number;
  noiseMs: number;
  metrics: string;
  statements: Map<string, StatementRow>;
}

const steps = ['queue', 'observe', 'finalizer', 'secret', 'postgres', 'status', 'event'] as const;

/** Measures one burst from start() to stop(); lines() says where its time and CPU went. */
export class BurstProfile {
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  private constructor(
    private readonly sources: BurstSources,
    private readonly postgres: PostgresCpu,
    private readonly before: Snapshot,
  ) {}

  private static async snapshot(sources: BurstSources): Promise<Snapshot> {
    const metrics = await sources.operatorMetrics();
    const { apiserver, etcd } = sources.processIds();
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      machine: machineCpu(),
      operatorMs: Number(/^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1] ?? Number.NaN) * 1000,
      apiserverMs: apiserver === undefined ? Number.NaN : processCpuMs(apiserver),
      etcdMs: etcd === undefined ? Number.NaN : processCpuMs(etcd),
      benchMs: (usage.user + usage.system) / 1000,
      noiseMs: sources.noisePid === undefined ? 0 : (cpuOrUndefined(sources.noisePid) ?? 0),
      metrics,
      statements: await statements(sources.admin),
    };
  }

  static async start(sources: BurstSources): Promise<BurstProfile> {
    const postgres = await PostgresCpu.start(sources.admin);
    const profile = new BurstProfile(sources, postgres, await BurstProfile.snapshot(sources));
    // Backends are sampled while they live: their CPU is attributed by kind before they exit.
    profile.timer = setInterval(() => {
      profile.sampling = profile.sampling.then(() => postgres.sample()).catch(() => undefined);
    }, 250);
    return profile;
  }

  /** Ends the measurement; returns report lines [what, value]. `users`: the burst's size. */
  async stop(users: number): Promise<[string, string][]> {
    clearInterval(this.timer);
    await this.sampling;
    const pg = await this.postgres.stop();
    const after = await BurstProfile.snapshot(this.sources);
    const before = this.before;
    const wallMs = after.at - before.at;
    const machineBusy = after.machine.busyMs - before.machine.busyMs;
    const machineTotal = after.machine.totalMs - before.machine.totalMs;
    const cores = machineTotal / wallMs;
    const shares: [string, number][] = [
      ['operator', after.operatorMs - before.operatorMs],
      ['kube-apiserver', after.apiserverMs - before.apiserverMs],
      ['etcd', after.etcdMs - before.etcdMs],
      ['PostgreSQL', pg.totalMs],
      ['benchmark', after.benchMs - before.benchMs],
      ...(this.sources.noisePid === undefined ? [] : ([['CPU burner', after.noiseMs - before.noiseMs]] as [string, number][])),
    ];
    const others = machineBusy - shares.reduce((sum, [, ms]) => sum + ms, 0);
    const lines: [string, string][] = [];
    lines.push([
      'machine CPU utilisation during the burst',
      `${((100 * machineBusy) / Math.max(1, machineTotal)).toFixed(0)} % of ${cores.toFixed(1)} cores over ${(wallMs / 1000).toFixed(2)} s`,
    ]);
    lines.push([
      'share of the machine CPU spent (busy time)',
      [...shares, ['other processes', others] as [string, number]]
        .map(([who, ms]) => `${who} ${((100 * ms) / Math.max(1, machineBusy)).toFixed(0)} % (${(ms / users).toFixed(2)} ms/user)`)
        .join(', '),
    ]);
    lines.push([
      'PostgreSQL CPU per user',
      `${(pg.totalMs / users).toFixed(2)} ms: operator's connections ${(pg.operatorMs / users).toFixed(2)}, background ${(pg.backgroundMs / users).toFixed(2)}, ` +
        `the rest (the benchmark's logins and connections) ${((pg.totalMs - pg.operatorMs - pg.backgroundMs) / users).toFixed(2)}`,
    ]);
    lines.push(['PostgreSQL statements, execution time per user (top 8, names and literals as ?)', this.topStatements(after.statements, users)]);
    lines.push(['reconciles of the burst: duration mean, p50 / p99', this.reconcileLatency(after.metrics)]);
    lines.push(['reconcile steps, p50 / p99 (observations)', this.stepLatencies(after.metrics)]);
    return lines;
  }

  private topStatements(after: Map<string, StatementRow>, users: number): string {
    // DDL names each user: statements differing only in names and literals are counted together.
    const groups = new Map<string, { query: string; calls: number; ms: number }>();
    for (const row of after.values()) {
      const previous = this.before.statements.get(row.queryid);
      const calls = row.calls - (previous?.calls ?? 0);
      if (calls <= 0) continue;
      const query = row.query
        .replace(/"(?:[^"]|"")*"/g, '"?"')
        .replace(/'(?:[^']|'')*'/g, "'?'")
        .replace(/\s+/g, ' ');
      const group = groups.get(query) ?? { query, calls: 0, ms: 0 };
      group.calls += calls;
      group.ms += row.total_exec_time - (previous?.total_exec_time ?? 0);
      groups.set(query, group);
    }
    const moved = [...groups.values()];
    const total = moved.reduce((sum, row) => sum + row.ms, 0);
    const top = moved
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8)
      .map((row) => `${(row.ms / users).toFixed(3)} ms (${(row.calls / users).toFixed(2)} calls) ${row.query.slice(0, 60)}`);
    return `${(total / users).toFixed(3)} ms in all; ${top.join('; ')}`;
  }

  /** From the reconcile histogram every build has (so the baseline's too): the critical path in all. */
  private reconcileLatency(after: string): string {
    const name = 'dbuser_operator_reconcile_duration_seconds';
    const total = (metrics: string, suffix: 'sum' | 'count') =>
      [...metrics.matchAll(new RegExp(`^${name}_${suffix}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((sum, match) => sum + Number(match[1]), 0);
    const count = total(after, 'count') - total(this.before.metrics, 'count');
    const mean = (total(after, 'sum') - total(this.before.metrics, 'sum')) / Math.max(1, count);
    const done = histogramBuckets(after, name, 'result').get('done');
    if (done === undefined) return 'none';
    const before = histogramBuckets(this.before.metrics, name, 'result').get('done');
    const p50 = quantile(before, done, 0.5).value;
    const p99 = quantile(before, done, 0.99).value;
    return `${(mean * 1000).toFixed(1)} ms, ${(p50 * 1000).toFixed(1)} / ${(p99 * 1000).toFixed(1)} ms (${count} reconciles)`;
  }

  private stepLatencies(after: string): string {
    const stepsBefore = histogramBuckets(this.before.metrics, 'dbuser_operator_reconcile_step_duration_seconds', 'step');
    const stepsAfter = histogramBuckets(after, 'dbuser_operator_reconcile_step_duration_seconds', 'step');
    const queueBefore = histogramBuckets(this.before.metrics, 'dbuser_operator_workqueue_wait_seconds', undefined).get('');
    const queueAfter = histogramBuckets(after, 'dbuser_operator_workqueue_wait_seconds', undefined).get('');
    const parts: string[] = [];
    for (const step of steps) {
      const [b, a] = step === 'queue' ? [queueBefore, queueAfter] : [stepsBefore.get(step), stepsAfter.get(step)];
      if (a === undefined) continue;
      const p50 = quantile(b, a, 0.5);
      if (p50.count === 0) continue;
      const p99 = quantile(b, a, 0.99);
      parts.push(`${step} ${(p50.value * 1000).toFixed(1)} / ${(p99.value * 1000).toFixed(1)} ms (${p50.count})`);
    }
    return parts.length === 0 ? 'not measured (a build without the step histograms)' : parts.join(', ');
  }
}

/** BENCH_NOISE=1: a process spinning on one core beside the burst, as other work on a shared host. */
export function startNoise(): { pid: number | undefined; stop: () => Promise<void> } | undefined {
  if (process.env.BENCH_NOISE !== '1') return undefined;
  const child: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return {
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
}
