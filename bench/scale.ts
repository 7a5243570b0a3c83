// The scale phase on its own (BENCH_SCALE_ONLY=1, BENCH_SCALE_USERS=50000): memory per user, start-up
// with every user present, and the idle resync's cost, for this build and (BENCH_BASELINE) another one
// in the same run on the same users. Users are created with parallel POSTs while no operator runs (the
// API server alone is faster than with reconciles beside it), then one operator makes them all Ready
// (roles in PostgreSQL, Secrets, status): that pass is a burst, not what is measured. Each build
// measured is then a fresh process started with every user present, as after a rollout.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { KubeClient } from '../src/kube/kube-client.js';
import { metricValue, OperatorProcess, operatorNodeFlags } from '../test/integration/support/operator-process.js';
import type { PgTestClient } from '../test/integration/support/postgres.js';
import { formatRequests, perUnit, snapshot, type CostSources } from './cost-meter.js';
import { inParallel, seconds } from './measure.js';

export interface ScaleContext {
  users: number;
  http: KubeClient;
  pgClient: PgTestClient;
  admin: pg.Pool;
  processIds: CostSources['processIds'];
  createNamespace: (name: string) => Promise<void>;
  createUser: (namespace: string, name: string, spec?: Record<string, unknown>) => Promise<void>;
  log: (line: string) => void;
  report: (what: string, value: string, target: string) => void;
  /** Builds to measure: label and dist/main.js (undefined: this checkout's). */
  builds: { label: string; mainScript: string | undefined }[];
}

const namespace = 'bench-scale';
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The image's Node flags unless BENCH_SCALE_NODE_FLAGS says otherwise (its heap cap is sized for 10,000 users). */
const heapSnapshotDir = process.env.BENCH_SCALE_HEAP_SNAPSHOT;
const nodeFlags = [
  ...(process.env.BENCH_SCALE_NODE_FLAGS?.split(' ').filter(Boolean) ?? operatorNodeFlags),
  // BENCH_SCALE_HEAP_SNAPSHOT=<dir>: a heap snapshot of each build measured, at rest.
  ...(heapSnapshotDir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapSnapshotDir}`]),
];
/** Long enough that the start-up pass ends before the first resync. */
const resyncInterval = process.env.BENCH_SCALE_RESYNC ?? '2m';

/** Peak RSS of a process so far (VmHWM), in bytes. */
function peakRss(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : Number.NaN;
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** The median time of a /metrics scrape while sampling. */
  scrapeMs: number;
}

/** Memory at rest: samples once a second for `samples` s; the smallest heap used (least uncollected garbage), the last RSS. */
async function memoryAtRest(operator: OperatorProcess, samples: number): Promise<Memory> {
  let memory: Memory | undefined;
  const scrapes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const asked = performance.now();
    const text = await operator.metrics();
    scrapes.push(performance.now() - asked);
    const sample = {
      rss: metricValue(text, 'process_resident_memory_bytes'),
      heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes'),
      heapTotal: metricValue(text, 'nodejs_heap_size_total_bytes'),
      external: metricValue(text, 'nodejs_external_memory_bytes'),
    };
    memory = { ...sample, heapUsed: Math.min(sample.heapUsed, memory?.heapUsed ?? Infinity), scrapeMs: 0 };
    await sleep(1000);
  }
  scrapes.sort((a, b) => a - b);
  if (memory !== undefined) memory.scrapeMs = scrapes[Math.floor(scrapes.length / 2)] ?? Number.NaN;
  if (memory === undefined) throw new Error('no memory sample');
  return memory;
}

/**
 * Polls `check` every `intervalMs`. A scrape of /metrics walks every cached user (tens of ms with
 * 50,000), so the operator is not polled more often than the measurement needs.
 */
async function until(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs: number; operator?: OperatorProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await check())) {
    const exited = options.operator?.exitReason();
    if (exited !== undefined) throw new Error(`waiting for ${what}: ${exited}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.intervalMs);
  }
}

export async function runScalePhase(ctx: ScaleContext): Promise<void> {
  const { users, http, log, report } = ctx;
  const metric = async (operator: OperatorProcess, name: string, labels: Record<string, string> = {}) => metricValue(await operator.metrics(), name, labels);

  // The idle process: the same operator watching a namespace with no user.
  await ctx.createNamespace('bench-scale-empty');
  const idle = new Map<string, Memory>();
  for (const build of ctx.builds) {
    const operator = await OperatorProcess.start({
      namespace: 'bench-scale-empty',
      env: { LOG_LEVEL: 'info' },
      instance: `idle-${build.label}`,
      nodeFlags,
      ...(build.mainScript === undefined ? {} : { mainScript: build.mainScript }),
    });
    await sleep(5000);
    const memory = await memoryAtRest(operator, 10);
    idle.set(build.label, memory);
    report(`${build.label}: idle operator (no user)`, `RSS ${mib(memory.rss)}, heap used ${mib(memory.heapUsed)} of ${mib(memory.heapTotal)}`, '');
    await operator.stop();
  }

  log(`scale: creating ${users} DatabaseUsers (no operator running)`);
  await ctx.createNamespace(namespace);
  let started = performance.now();
  await inParallel(
    Array.from({ length: users }, (_, i) => i),
    64,
    async (i) => {
      await ctx.createUser(namespace, `s-${i}`, { readOnly: i % 2 === 0 });
      if ((i + 1) % 5000 === 0) log(`scale: ${i + 1} created`);
    },
  );
  report(`scale: ${users} DatabaseUsers created (64 POSTs in flight)`, seconds(performance.now() - started), '');

  log(`scale: one operator makes all ${users} Ready`);
  started = performance.now();
  const creator = await OperatorProcess.start({
    namespace,
    env: { LOG_LEVEL: 'info', RESYNC_INTERVAL: '10h' },
    instance: 'scale-create',
    nodeFlags,
    waitUntil: 'healthy',
  });
  let lastLog = 0;
  await until(
    `${users} users Ready`,
    async () => {
      const ready = await metric(creator, 'dbuser_operator_managed_users', { state: 'ready' });
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        log(`scale: ${ready} Ready`);
      }
      return ready >= users;
    },
    { timeoutMs: 3 * 3_600_000, intervalMs: 5000, operator: creator },
  );
  report(`scale: ${users} users made Ready by one operator`, seconds(performance.now() - started), '');
  await creator.stop();
  const roles = await ctx.admin.query<{ count: string }>("SELECT count(*) AS count FROM pg_roles WHERE rolname LIKE 'b\\_s\\_%'");
  const sample = await http.request<{ items: { data?: Record<string, string> }[] }>('GET', `/api/v1/namespaces/${namespace}/secrets`, {
    query: { labelSelector: 'app.kubernetes.io/managed-by=dbuser-operator', limit: 200 },
  });
  let logins = 0;
  await inParallel(sample.items, 8, async (secret) => {
    if (await ctx.pgClient.canLogin(Buffer.from(secret.data?.uri ?? '', 'base64').toString())) logins++;
  });
  report(
    `scale: roles in PostgreSQL; logins with the first ${sample.items.length} credentials Secrets`,
    `${roles.rows[0]?.count ?? '?'} roles; ${logins} logins ok`,
    `${users}; all`,
  );

  for (const build of ctx.builds) {
    log(`scale: ${build.label}: a fresh operator with ${users} users present`);
    const spawned = performance.now();
    let operator: OperatorProcess;
    try {
      operator = await OperatorProcess.start({
        namespace,
        env: { LOG_LEVEL: 'info', RESYNC_INTERVAL: resyncInterval },
        instance: `scale-${build.label}`,
        nodeFlags,
        waitUntil: 'healthy',
        ...(build.mainScript === undefined ? {} : { mainScript: build.mainScript }),
      });
    } catch (error) {
      report(`${build.label}: start with ${users} users`, `failed: ${String(error).slice(0, 300)}`, '');
      continue;
    }
    const sources: CostSources = { operatorMetrics: () => operator.metrics(), processIds: ctx.processIds, admin: ctx.admin };
    try {
      await until('/readyz', async () => (await operator.probe('/readyz')) === 200, { timeoutMs: 600_000, intervalMs: 250, operator });
      const synced = performance.now();
      const reconciled = (passes: number) =>
        until(`${passes} passes`, async () => (await metric(operator, 'dbuser_operator_reconcile_total')) >= passes * users, {
          timeoutMs: 1_800_000,
          intervalMs: 1000,
          operator,
        });
      await reconciled(1);
      const observed = performance.now();
      const ready = await metric(operator, 'dbuser_operator_managed_users', { state: 'ready' });
      const peakAtStart = peakRss(operator.pid);
      report(
        `${build.label}: start-up with ${users} users: caches synced (lists) / every user observed (first pass)`,
        `${seconds(synced - spawned)} / ${seconds(observed - spawned)} (${ready} Ready)`,
        '< 60 s to every user observed',
      );
      const afterStart = await snapshot(sources);
      await reconciled(2);
      const afterResync = await snapshot(sources);
      const resync = perUnit(afterStart, afterResync, users);
      report(`${build.label}: idle resync of ${users} users: API requests`, formatRequests(resync), '0 requests');
      report(
        `${build.label}: idle resync, per user`,
        `operator ${resync.operatorCpuMs.toFixed(2)} ms, kube-apiserver ${resync.apiserverCpuMs.toFixed(2)} ms CPU, ${resync.postgresActions.toFixed(2)} PostgreSQL statements`,
        '',
      );
      await sleep(5000);
      const memory = await memoryAtRest(operator, 15);
      const base = idle.get(build.label);
      const perUser = (now: number, before: number | undefined) => (before === undefined ? '?' : `${((now - before) / users / 1024).toFixed(2)} KiB`);
      report(
        `${build.label}: memory with ${users} users at rest (after a resync)`,
        `RSS ${mib(memory.rss)} (peak ${mib(peakRss(operator.pid))}, ${mib(peakAtStart)} by the end of the start-up pass); heap used ${mib(memory.heapUsed)} of ${mib(memory.heapTotal)}; external ${mib(memory.external)}`,
        'RSS ≤ 400 MiB',
      );
      report(`${build.label}: one /metrics scrape with ${users} users (median of 15)`, `${memory.scrapeMs.toFixed(0)} ms`, '');
      report(
        `${build.label}: memory per user over the idle process`,
        `RSS ${perUser(memory.rss, base?.rss)}, heap used ${perUser(memory.heapUsed, base?.heapUsed)}, heap total ${perUser(memory.heapTotal, base?.heapTotal)}`,
        '',
      );
      if (heapSnapshotDir !== undefined && operator.pid !== undefined) await heapSnapshot(operator.pid, heapSnapshotDir, log);
    } catch (error) {
      report(`${build.label}: with ${users} users`, `failed: ${String(error).slice(0, 400)}`, '');
    }
    await operator.stop();
  }
}

/** Asks the process for a heap snapshot and waits until its file stops growing. */
async function heapSnapshot(pid: number, dir: string, log: (line: string) => void): Promise<void> {
  const files = () => new Set(readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot')));
  const before = files();
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (let waited = 0; waited < 300; waited += 5) {
    await sleep(5000);
    const written = [...files()].find((name) => !before.has(name));
    if (written === undefined) continue;
    const now = statSync(path.join(dir, written)).size;
    if (now > 0 && now === size) {
      log(`scale: heap snapshot ${path.join(dir, written)} (${mib(now)})`);
      return;
    }
    size = now;
  }
  log('scale: the heap snapshot did not finish in 5 minutes');
}
