// `npm run bench`: the targets of DESIGN §9, measured on this machine against the real components.
// Phases: raw limits of PostgreSQL and the API server; 1,000 users at once; single-user latency;
// an idle resync; memory with 10,000 users; faults during a burst. Prints a summary at the end.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadClusterConfig } from '../src/kube/cluster-config.js';
import { KubeClient } from '../src/kube/kube-client.js';
import { scramSha256Verifier } from '../src/postgres/password-hash.js';
import { LocalEnvironment } from '../test/harness/environment.js';
import { harnessStateEnv, type HarnessState } from '../test/harness/harness-state.js';
import { installDeployment, waitForCreateFinalizer } from '../test/harness/install.js';
import { runKubectl } from '../test/harness/kubectl.js';
import { repoRoot } from '../test/harness/paths.js';
import { metricValue, OperatorProcess, operatorNodeFlags } from '../test/integration/support/operator-process.js';
import { PgTestClient } from '../test/integration/support/postgres.js';
import { formatRequests, perUnit, snapshot, writesPerUnit, type CostPerUnit, type CostSources } from './cost-meter.js';
import { BurstProfile, startNoise } from './critical-path.js';
import { LoginVerifier } from './login-verifier.js';
import { inParallel, percentile, seconds } from './measure.js';
import { ReadyTracker } from './ready-tracker.js';
import { runScalePhase } from './scale.js';
import { benchDatabases } from './databases.js';

// BENCH_DATABASES=1: only the many-databases phase, in its own environment (bench/databases.ts).
if (process.env.BENCH_DATABASES === '1') {
  await benchDatabases();
  process.exit(0);
}

const burstSize = Number(process.env.BENCH_USERS ?? 1000);
const scaleSize = Number(process.env.BENCH_SCALE_USERS ?? 10_000);
// BENCH_BURST_ONLY=1: phases 1 and 2 only (raw rates, the burst and its costs per user).
const burstOnly = process.env.BENCH_BURST_ONLY === '1';
// BENCH_CREATE_FINALIZER_AB=1 (where the cluster serves MutatingAdmissionPolicy v1): this build's burst
// without the finalizer at create (its binding removed), with it, and without it again, in one run (the
// two ends show what the order alone changes).
const createFinalizerAB = process.env.BENCH_CREATE_FINALIZER_AB === '1';
// BENCH_ROUNDS=n: n pairs of bursts, baseline and this build in alternating order (ABBA...), so the
// order a burst runs in (the second of a run costs more) does not decide a comparison.
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
// BENCH_WORKERS_AB="8,24": extra bursts of this build with each WORKERS value, after the others.
const workersAB = (process.env.BENCH_WORKERS_AB ?? '').split(',').filter(Boolean);
// BENCH_CPU_PROF=<dir>: this build's burst operators write a V8 CPU profile there (node --cpu-prof).
const cpuProfileDir = process.env.BENCH_CPU_PROF;
// BENCH_SCALE_ONLY=1: only the scale phase (bench/scale.ts), with BENCH_SCALE_USERS users.
const scaleOnly = process.env.BENCH_SCALE_ONLY === '1';
const latencySamples = 50;
const faultUsers = 300;
const results: [string, string, string][] = [];

function log(line: string): void {
  console.log(`[bench] ${line}`);
}

function report(what: string, value: string, target: string): void {
  results.push([what, value, target]);
  log(`${what}: ${value}${target ? ` (target ${target})` : ''}`);
}

// pg_stat_statements counts what the operator sends PostgreSQL per user.
const environment = await LocalEnvironment.start({
  log,
  postgresSettings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top' },
});
const stateFile = path.join(environment.dir, 'state.json');
try {
  const operatorIdentity = await installDeployment(environment.cluster, environment.dir);
  const state: HarnessState = { dir: environment.dir, cluster: environment.cluster, operator: operatorIdentity, postgres: environment.postgres.endpoint };
  writeFileSync(stateFile, JSON.stringify(state));
  process.env[harnessStateEnv] = stateFile;

  const http = KubeClient.create(await loadClusterConfig({ KUBECONFIG: environment.cluster.kubeconfigPath }), 'dbuser-bench');
  const pgClient = new PgTestClient(environment.postgres.endpoint);
  const admin = new pg.Pool({ connectionString: environment.postgres.url, max: 16 });
  // The fault phase restarts PostgreSQL: idle connections then end with an error, which an unhandled
  // pool 'error' event would turn into a crash of the benchmark. The pool opens new ones on demand.
  admin.on('error', () => undefined);
  const database = await pgClient.createDatabaseWithOwner('bench');
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const reportCosts = (what: string, cost: CostPerUnit, targets: { requests: string; writes?: string; operatorCpu?: string; apiserverCpu?: string }): void => {
    report(`${what}: API requests per user (the operator's)`, formatRequests(cost), targets.requests);
    if (targets.writes !== undefined) report(`${what}: API writes per user (the operator's)`, writesPerUnit(cost).toFixed(2), targets.writes);
    report(`${what}: operator CPU per user`, `${cost.operatorCpuMs.toFixed(2)} ms`, targets.operatorCpu ?? '');
    report(`${what}: kube-apiserver CPU per user`, `${cost.apiserverCpuMs.toFixed(2)} ms`, targets.apiserverCpu ?? '');
    report(`${what}: etcd CPU per user`, `${cost.etcdCpuMs.toFixed(2)} ms`, '');
    report(`${what}: PostgreSQL statements per user`, cost.postgresActions.toFixed(1), '');
  };

  const createNamespace = async (name: string): Promise<void> => {
    await http.request('POST', '/api/v1/namespaces', { body: { metadata: { name } } });
    await http.request('POST', `/api/v1/namespaces/${name}/secrets`, {
      body: { metadata: { name: 'pg-admin' }, stringData: { uri: pgClient.adminUri(database.database) } },
    });
  };
  /** Retries what the API server refuses while it restarts (connection refused, 429, 5xx). */
  const retrying = async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (attempt >= 60 || (status !== undefined && status < 500 && status !== 429)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };
  const createUser = async (namespace: string, name: string, spec: Record<string, unknown> = {}): Promise<void> => {
    await retrying(() =>
      http.request('POST', `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databaseusers`, {
        body: {
          apiVersion: 'dbuser.dev/v1alpha1',
          kind: 'DatabaseUser',
          metadata: { name },
          spec: { username: `b_${name.replaceAll('-', '_')}_${randomBytes(2).toString('hex')}`, connection: { secretName: 'pg-admin' }, ...spec },
        },
      }),
    );
  };
  const verifyLogins = async (namespace: string): Promise<{ ok: number; failed: number }> => {
    const secrets = await retrying(() =>
      http.request<{ items: { data?: Record<string, string> }[] }>('GET', `/api/v1/namespaces/${namespace}/secrets`, {
        query: { labelSelector: 'app.kubernetes.io/managed-by=dbuser-operator' },
      }),
    );
    let ok = 0;
    let failed = 0;
    await inParallel(secrets.items, 8, async (secret) => {
      const uri = Buffer.from(secret.data?.uri ?? '', 'base64').toString();
      if (await pgClient.canLogin(uri)) ok++;
      else failed++;
    });
    return { ok, failed };
  };

  if (scaleOnly) {
    const baselineScript = process.env.BENCH_BASELINE;
    const builds = [
      ...(baselineScript ? [{ label: `baseline ${process.env.BENCH_BASELINE_LABEL ?? baselineScript}`, mainScript: baselineScript }] : []),
      { label: 'this build', mainScript: undefined },
    ];
    const processIds = () => environment.controlPlane?.processIds ?? { apiserver: undefined, etcd: undefined };
    await runScalePhase({ users: scaleSize, http, pgClient, admin, processIds, createNamespace, createUser, log, report, builds });
    await Promise.all([admin.end(), pgClient.close(), http.close()]);
    await environment.stop();
    printResults();
    process.exit(0);
  }

  // 1. The raw limits, measured in this run on this machine.
  log(`phase 1: raw rates (${burstSize} roles, ${burstSize} Secrets)`);
  const verifiers = await Promise.all(Array.from({ length: burstSize }, () => scramSha256Verifier(randomBytes(32).toString('base64url'))));
  let started = performance.now();
  await inParallel(verifiers, 8, async (verifier, i) => {
    await admin.query(`CREATE ROLE raw_role_${i} LOGIN PASSWORD ${pg.escapeLiteral(verifier)}`);
  });
  const pgRate = burstSize / ((performance.now() - started) / 1000);
  await inParallel(verifiers, 8, async (_verifier, i) => {
    await admin.query(`DROP ROLE raw_role_${i}`);
  });
  await http.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'bench-raw' } } });
  const secretData = Object.fromEntries(
    ['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass', 'type', 'provider'].map((key) => [key, randomBytes(24).toString('base64')]),
  );
  started = performance.now();
  await inParallel(
    Array.from({ length: burstSize }, (_, i) => i),
    32,
    async (i) => {
      await http.request('POST', '/api/v1/namespaces/bench-raw/secrets', { body: { metadata: { name: `raw-${i}` }, data: secretData } });
    },
  );
  const apiRate = burstSize / ((performance.now() - started) / 1000);
  const limit = Math.min(pgRate, apiRate);
  report('raw PostgreSQL role creation', `${pgRate.toFixed(0)} roles/s`, '');
  report('raw API server Secret creation', `${apiRate.toFixed(0)} Secrets/s`, '');

  // 2. A burst of users applied at once; first by a baseline build when one is given, so the two
  // are compared in one run on the same components.
  const processIds = () => environment.controlPlane?.processIds ?? { apiserver: undefined, etcd: undefined };
  // The finalizer at create (ADR 23): installed by the harness where the API server serves its kind.
  let finalizerAtCreate = operatorIdentity.capabilities.createFinalizer;
  const runBurst = async (namespace: string, label: string, mainScript?: string, nodeFlags?: string[], env: Record<string, string> = {}) => {
    log(`phase 2: ${burstSize} DatabaseUsers at once (${label})`);
    await createNamespace(namespace);
    const profiled =
      cpuProfileDir !== undefined && mainScript === undefined
        ? [...operatorNodeFlags, '--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfileDir)}`]
        : undefined;
    nodeFlags ??= profiled;
    const burstOperator = await OperatorProcess.start({
      namespace,
      env: { LOG_LEVEL: 'info', ...env },
      instance: 'burst',
      ...(mainScript ? { mainScript } : {}),
      ...(nodeFlags ? { nodeFlags } : {}),
    });
    const logins = new LoginVerifier(http, namespace, (uri) => pgClient.canLogin(uri));
    await logins.start();
    const burstTracker = new ReadyTracker(http, namespace, (name) => {
      logins.verify(name);
    });
    await burstTracker.start();
    const sources: CostSources = { operatorMetrics: () => burstOperator.metrics(), processIds, admin };
    const noise = startNoise();
    const profile = await BurstProfile.start({ ...sources, noisePid: noise?.pid });
    const before = await snapshot(sources);
    const sent = performance.now();
    await inParallel(
      Array.from({ length: burstSize }, (_, i) => i),
      32,
      async (i) => {
        await createUser(namespace, `u-${i}`, { readOnly: i % 3 === 0 });
      },
    );
    const applied = performance.now();
    await burstTracker.untilReady(burstSize);
    const allReady = performance.now();
    await logins.until(burstSize);
    const verified = performance.now();
    // The window holds the benchmark's own 1,000 creates and its two watches too.
    const cost = perUnit(before, await snapshot(sources), burstSize);
    const profileLines = await profile.stop(burstSize);
    await noise?.stop();
    await logins.stop();
    const operatorRate = burstSize / ((allReady - sent) / 1000);
    const prefix = label === 'this build' ? '' : `${label}: `;
    report(`${prefix}${burstSize} users: applied`, seconds(applied - sent), '');
    report(`${prefix}${burstSize} users: all Ready`, seconds(allReady - sent), '');
    report(
      `${prefix}${burstSize} users: Ready and every password verified by a login`,
      `${seconds(verified - sent)} (${logins.ok} logins, ${logins.failed} failed)`,
      '≤ 12 s',
    );
    report(
      `${prefix}operator rate / raw limit`,
      `${operatorRate.toFixed(0)} users/s / ${limit.toFixed(0)} per s = ${(operatorRate / limit).toFixed(2)}`,
      '≥ 0.5',
    );
    reportCosts(`${prefix}${burstSize} new users`, cost, {
      requests: finalizerAtCreate ? '1 Secret + 1 status + 1 Event (the finalizer at create), 0 GETs' : '≤ 1 finalizer + 1 Secret + 1 status + 1 Event, 0 GETs',
      writes: finalizerAtCreate ? '3' : '≤ 4',
      operatorCpu: '≤ 4 ms',
      apiserverCpu: '≤ 7 ms',
    });
    for (const [what, value] of profileLines) report(`${prefix}${what}`, value, '');
    // With WORKERS=auto (ADR 29): where the limit ended (builds before it have no such metric).
    const workersLimit = metricValue(await burstOperator.metrics(), 'dbuser_operator_workers_limit');
    if (workersLimit > 0) report(`${prefix}concurrent reconciles allowed at the end`, String(workersLimit), '');
    return { burstOperator, burstTracker };
  };
  /** Removes or restores the finalizer policy's binding, and waits until creates show it. */
  const setFinalizerAtCreate = async (on: boolean): Promise<void> => {
    const { kubectl, kubeconfigPath } = environment.cluster;
    const args = on
      ? ['apply', '-f', path.join(repoRoot, 'deploy', 'components', 'create-finalizer', 'create-finalizer.yaml')]
      : ['delete', 'mutatingadmissionpolicybinding', 'dbuser-finalizer'];
    const result = await runKubectl(kubectl, kubeconfigPath, args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
    await waitForCreateFinalizer(environment.cluster, on);
    finalizerAtCreate = on;
  };
  const abRounds = createFinalizerAB && finalizerAtCreate;
  const burstWithoutFinalizerAtCreate = async (round: number): Promise<void> => {
    await setFinalizerAtCreate(false);
    const { burstOperator, burstTracker } = await runBurst(`bench-no-policy-${round}`, `without the finalizer at create (${round})`);
    await burstTracker.stop();
    await burstOperator.stop();
    await setFinalizerAtCreate(true);
  };
  if (abRounds) await burstWithoutFinalizerAtCreate(1);
  const baseline = process.env.BENCH_BASELINE;
  // BENCH_BASELINE_NODE_FLAGS: the baseline's Node flags, if not this build's (e.g. other heap sizes).
  const baselineFlags = process.env.BENCH_BASELINE_NODE_FLAGS?.split(' ').filter(Boolean);
  const runAndStop = async (...args: Parameters<typeof runBurst>): Promise<void> => {
    const { burstOperator, burstTracker } = await runBurst(...args);
    await burstTracker.stop();
    await burstOperator.stop();
  };
  // BENCH_BASELINE_FINALIZER_AT_CREATE=0: the baseline's bursts run with the policy's binding removed,
  // as on the cluster a build from before ADR 23 shipped for (it brought no such policy).
  const baselineWithoutPolicy = process.env.BENCH_BASELINE_FINALIZER_AT_CREATE === '0' && finalizerAtCreate;
  const baselineBurst = async (round: number): Promise<void> => {
    if (!baseline) return;
    const label = `baseline ${process.env.BENCH_BASELINE_LABEL ?? baseline}${baselineWithoutPolicy ? ', without the finalizer at create' : ''}`;
    if (baselineWithoutPolicy) await setFinalizerAtCreate(false);
    await runAndStop(round === 1 ? 'bench-baseline' : `bench-baseline-${round}`, rounds === 1 ? label : `${label} (${round})`, baseline, baselineFlags);
    if (baselineWithoutPolicy) await setFinalizerAtCreate(true);
  };
  for (let round = 1; round < rounds; round++) {
    if (round % 2 === 1) {
      await baselineBurst(round);
      await runAndStop(`bench-this-${round}`, `this build (${round})`);
    } else {
      await runAndStop(`bench-this-${round}`, `this build (${round})`);
      await baselineBurst(round);
    }
  }
  if (rounds % 2 === 1) await baselineBurst(rounds);
  const current = await runBurst('bench-burst', 'this build');
  if (rounds % 2 === 0) await baselineBurst(rounds);
  for (const [i, workers] of workersAB.entries()) {
    await runAndStop(`bench-workers-${String(i + 1)}-${workers}`, `this build, WORKERS=${workers} (${String(i + 1)})`, undefined, undefined, {
      WORKERS: workers,
    });
  }
  if (abRounds) await burstWithoutFinalizerAtCreate(2);
  let operator = current.burstOperator;
  const tracker = current.burstTracker;
  const costSources: CostSources = { operatorMetrics: () => operator.metrics(), processIds, admin };
  if (burstOnly) {
    await tracker.stop();
    await operator.stop();
  } else {
    // 3. One user at a time: apply -> Ready (Secret written, role created, status reported).
    log(`phase 3: latency of ${latencySamples} single users`);
    const latencies: number[] = [];
    for (let i = 0; i < latencySamples; i++) {
      const sent = performance.now();
      await createUser('bench-burst', `single-${i}`);
      await tracker.untilReady(burstSize + i + 1);
      latencies.push((tracker.readyAt.get(`bench-burst/single-${i}`) ?? Number.NaN) - sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    latencies.sort((a, b) => a - b);
    report('one user applied -> Ready, p50', `${percentile(latencies, 50).toFixed(0)} ms`, '≤ 200 ms');
    report('one user applied -> Ready, p99', `${percentile(latencies, 99).toFixed(0)} ms`, '≤ 1 s');

    // 4. Idle: a fresh operator reconciles every converged user at start, then resyncs; nothing to write.
    log('phase 4: idle resync');
    await operator.stop();
    operator = await OperatorProcess.start({ namespace: 'bench-burst', env: { LOG_LEVEL: 'info', RESYNC_INTERVAL: '10s' }, instance: 'idle' });
    const users = burstSize + latencySamples;
    const metric = async (name: string, labels: Record<string, string> = {}) => metricValue(await operator.metrics(), name, labels);
    const writes = async () =>
      (await Promise.all(['create', 'update', 'patch', 'delete'].map((verb) => metric('dbuser_operator_kubernetes_requests', { verb })))).reduce(
        (a, b) => a + b,
        0,
      );
    const reconciled = async (passes: number) => {
      while ((await metric('dbuser_operator_reconcile_total')) < passes * users) await new Promise((resolve) => setTimeout(resolve, 250));
    };
    const beforeStartup = await snapshot(costSources);
    await reconciled(1);
    const afterStartup = await snapshot(costSources);
    await reconciled(2);
    const afterResync = await snapshot(costSources);
    report(
      `idle: ${users} users reconciled twice (start-up pass and a resync)`,
      `${await writes()} API writes, ${await metric('dbuser_operator_postgres_actions_total')} PostgreSQL changes`,
      '0 writes',
    );
    const sinceStart = { ...beforeStartup, requests: new Map<string, number>() };
    report('idle: start-up and its pass over every user, in all', formatRequests(perUnit(sinceStart, afterStartup, 1)), '');
    reportCosts('idle resync', perUnit(afterStartup, afterResync, users), { requests: '0 requests' });
    const idleSeconds = (await metric('dbuser_operator_reconcile_duration_seconds_sum')) / (await metric('dbuser_operator_reconcile_duration_seconds_count'));
    report('idle reconcile, mean duration', `${(idleSeconds * 1000).toFixed(1)} ms`, '');
    await operator.stop();

    // 5. Memory with many users.
    if (scaleSize > users) {
      log(`phase 5: ${scaleSize} users`);
      operator = await OperatorProcess.start({ namespace: 'bench-burst', env: { LOG_LEVEL: 'info', RESYNC_INTERVAL: '1h' }, instance: 'scale' });
      started = performance.now();
      await inParallel(
        Array.from({ length: scaleSize - users }, (_, i) => i),
        32,
        async (i) => {
          await createUser('bench-burst', `s-${i}`, { readOnly: i % 2 === 0 });
        },
      );
      await tracker.untilReady(scaleSize);
      report(`${scaleSize - users} more users to ${scaleSize}: all Ready`, seconds(performance.now() - started), '');
      const rss = await metric('process_resident_memory_bytes');
      report(`operator RSS with ${scaleSize} users`, `${(rss / 2 ** 20).toFixed(0)} MiB`, '≤ 200 MiB');
      await operator.stop();
    }
    await tracker.stop();

    // 6. Faults during a burst: SIGKILLs of the operator, a PostgreSQL restart, an API server restart.
    log(`phase 6: faults during a burst of ${faultUsers}`);
    await createNamespace('bench-faults');
    operator = await OperatorProcess.start({
      namespace: 'bench-faults',
      env: { LOG_LEVEL: 'info', RESYNC_INTERVAL: '10s', RETRY_BACKOFF_MAX: '5s' },
      instance: 'faults',
    });
    const faults: string[] = [];
    const burst = inParallel(
      Array.from({ length: faultUsers }, (_, i) => i),
      4,
      async (i) => {
        await createUser('bench-faults', `f-${i}`, { readOnly: i % 2 === 0, passwordEncryption: i % 5 === 0 ? 'md5' : 'scram-sha-256' });
      },
    );
    const pause = () => new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1500));
    for (let kill = 0; kill < 3; kill++) {
      await pause();
      await operator.kill();
      faults.push('SIGKILL operator');
      await operator.restart();
    }
    await pause();
    await environment.postgres.restart();
    faults.push('PostgreSQL restart');
    await pause();
    await environment.controlPlane?.restartApiServer();
    faults.push('API server restart');
    await burst;
    const faultTracker = new ReadyTracker(http, 'bench-faults');
    await faultTracker.start();
    started = performance.now();
    const created = (await retrying(() => http.request<{ items: unknown[] }>('GET', '/apis/dbuser.dev/v1alpha1/namespaces/bench-faults/databaseusers'))).items
      .length;
    await faultTracker.untilReady(created);
    const faultLogins = await verifyLogins('bench-faults');
    report(
      `faults (${faults.join(', ')})`,
      `${created} users all Ready ${seconds(performance.now() - started)} after the last fault; ${faultLogins.ok} logins, ${faultLogins.failed} failed`,
      'all Ready, all log in',
    );
    await faultTracker.stop();
    await operator.stop();
  }
  await admin.end();
  await pgClient.close();
  await http.close();
} finally {
  await environment.stop();
}

printResults();

function printResults(): void {
  console.log('\n| measurement | result | target |\n|---|---|---|');
  for (const [what, value, target] of results) console.log(`| ${what} | ${value} | ${target} |`);
}
