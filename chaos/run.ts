// `npm run chaos`: users applied, updated and deleted while the operator is SIGKILLed, PostgreSQL and
// the API server restart and the operator's PostgreSQL connections are cut inside transactions; then
// an independent check of what the API server and PostgreSQL hold. Seeded: SEED=<n> replays a run's
// schedule. Sizes: CHAOS_USERS (2000), CHAOS_KILLS (100), CHAOS_PG_RESTARTS (5), CHAOS_API_RESTARTS (5),
// CHAOS_CUTS (50), CHAOS_NAMESPACES (2), CHAOS_SETTLE_TIMEOUT seconds (900).
import { KubeConfig } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadClusterConfig } from '../src/kube/cluster-config.js';
import { KubeClient } from '../src/kube/kube-client.js';
import type { DatabaseUser } from '../src/api/database-user.js';
import { LocalEnvironment } from '../test/harness/environment.js';
import { harnessStateEnv, type HarnessState } from '../test/harness/harness-state.js';
import { installDeployment } from '../test/harness/install.js';
import { logFilesUnder, PasswordLeakCheck } from '../test/harness/password-leak-check.js';
import { repoRoot } from '../test/harness/paths.js';
import { OperatorProcess } from '../test/integration/support/operator-process.js';
import { PgTestClient } from '../test/integration/support/postgres.js';
import { ChaosChecker } from './checker.js';
import { CuttingProxy } from './cutting-proxy.js';
import { scanForPasswords } from './leak-scan.js';
import { sabotage } from './sabotage.js';
import { chooseSeed } from './random.js';
import { buildSchedule, describeSchedule, type ChaosSize, type Fault, type Schedule } from './schedule.js';
import { resetAnnotation, Workload } from './workload.js';

function sizeFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

const size: ChaosSize = {
  users: sizeFrom('CHAOS_USERS', 2000),
  kills: sizeFrom('CHAOS_KILLS', 100),
  postgresRestarts: sizeFrom('CHAOS_PG_RESTARTS', 5),
  apiServerRestarts: sizeFrom('CHAOS_API_RESTARTS', 5),
  cuts: sizeFrom('CHAOS_CUTS', 50),
  namespaces: Math.max(1, sizeFrom('CHAOS_NAMESPACES', 2)),
};
const settleTimeoutMs = sizeFrom('CHAOS_SETTLE_TIMEOUT', 900) * 1000;
const seed = chooseSeed(process.env.SEED);
const startedAt = performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (): string => `${((performance.now() - startedAt) / 1000).toFixed(0)}s`;
function log(line: string): void {
  console.log(`[chaos ${elapsed()}] ${line}`);
}

const replay = `SEED=${seed} ${Object.entries({
  CHAOS_USERS: size.users,
  CHAOS_KILLS: size.kills,
  CHAOS_PG_RESTARTS: size.postgresRestarts,
  CHAOS_API_RESTARTS: size.apiServerRestarts,
  CHAOS_CUTS: size.cuts,
  CHAOS_NAMESPACES: size.namespaces,
})
  .map(([key, value]) => `${key}=${value}`)
  .join(' ')} npm run chaos`;
log(`SEED=${seed}; replay this schedule with: ${replay}`);
const schedule = buildSchedule(seed, size);
log(`schedule: ${JSON.stringify(describeSchedule(schedule))} in ${schedule.segments.length} segments`);

const environment = await LocalEnvironment.start({ postgresSettings: { log_statement: 'all' }, log });
const outcome = { failed: true };
const figures: Record<string, number | string> = { seed, users: size.users };
try {
  const operatorIdentity = await installDeployment(environment.cluster, environment.dir);
  const state: HarnessState = { dir: environment.dir, cluster: environment.cluster, operator: operatorIdentity, postgres: environment.postgres.endpoint };
  const stateFile = path.join(environment.dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state));
  process.env[harnessStateEnv] = stateFile;
  const leakCheck = new PasswordLeakCheck(environment.cluster.kubeconfigPath);
  leakCheck.add(environment.postgres.password);
  await leakCheck.start();

  const http = KubeClient.create(await loadClusterConfig({ KUBECONFIG: environment.cluster.kubeconfigPath }), 'dbuser-chaos');
  const pgClient = new PgTestClient(environment.postgres.endpoint);
  const proxy = await CuttingProxy.start(environment.postgres.host, environment.postgres.port);
  const databases = new Map<string, string>();
  for (const [i, namespace] of schedule.namespaces.entries()) {
    const { database } = await pgClient.createDatabaseWithOwner(`chaos_${i}`);
    databases.set(namespace, database);
    await http.request('POST', '/api/v1/namespaces', { body: { metadata: { name: namespace } } });
    const { superuser, password } = environment.postgres;
    const uri = `postgresql://${superuser}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}/${database}?sslmode=disable`;
    await http.request('POST', `/api/v1/namespaces/${namespace}/secrets`, { body: { metadata: { name: 'pg-admin' }, stringData: { uri } } });
  }

  // One operator process, as a single replica runs: killed, then started again (a pod restart).
  const operator = await OperatorProcess.start({
    namespace: schedule.namespaces[0] ?? 'chaos-0',
    instance: 'chaos',
    // Production settings, but no periodic resync within the run (convergence must come from events
    // and start-up lists, not from a timer that would hide a lost event) and a shorter retry cap.
    env: { WATCH_NAMESPACES: schedule.namespaces.join(','), LOG_LEVEL: 'info', RESYNC_INTERVAL: '1h', RETRY_BACKOFF_MAX: '10s' },
  });
  let expectDown = false;
  let unexpectedExits = 0;
  const startAgain = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await operator.restart();
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        log(`operator did not come up (attempt ${attempt}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  };
  const watchdog = setInterval(() => {
    if (expectDown || operator.running) return;
    expectDown = true;
    unexpectedExits += 1;
    log(`the operator exited by itself: ${operator.exitReason() ?? ''}`);
    void startAgain().finally(() => {
      expectDown = false;
    });
  }, 500);

  const counts = { kills: 0, postgresRestarts: 0, apiServerRestarts: 0, cutsInTransaction: 0, cutsIdle: 0 };
  const runFault = async (fault: Fault): Promise<void> => {
    switch (fault.kind) {
      case 'kill':
        expectDown = true;
        await operator.kill();
        counts.kills += 1;
        await sleep(fault.downMs);
        await startAgain();
        expectDown = false;
        return;
      case 'restartPostgres':
        await environment.postgres.restart();
        counts.postgresRestarts += 1;
        return;
      case 'restartApiServer':
        await environment.controlPlane?.restartApiServer();
        counts.apiServerRestarts += 1;
        return;
      case 'cutConnections':
        // Armed now, it cuts the operator's next transaction, which the next operations bring if
        // nothing is in flight; the next fault waits for it.
        pendingCut = proxy.cutInTransaction(fault.messagesAfterBegin, 60_000).then((where) => {
          if (where === 'in-transaction') counts.cutsInTransaction += 1;
          else counts.cutsIdle += 1;
        });
        return;
    }
  };
  let pendingCut: Promise<void> | undefined;

  const workload = new Workload(http, schedule);
  for (const [k, segment] of schedule.segments.entries()) {
    await workload.send(segment.operations, 16);
    await sleep(segment.pauseMs);
    if (segment.fault) {
      await pendingCut;
      await runFault(segment.fault);
    }
    if ((k + 1) % 10 === 0 || k === schedule.segments.length - 1) {
      log(`segment ${k + 1}/${schedule.segments.length}: ${JSON.stringify(Object.fromEntries(workload.ledger.sent))}, faults ${JSON.stringify(counts)}`);
    }
  }
  await pendingCut;
  const faultsDoneAt = performance.now();
  log('every operation sent and every fault done; waiting for the users to settle');
  const settled = await settle(http, schedule, settleTimeoutMs);
  figures['settled after the last fault'] = `${((performance.now() - faultsDoneAt) / 1000).toFixed(1)} s`;
  clearInterval(watchdog);

  log('checking what the API server and PostgreSQL hold');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(environment.cluster.kubeconfigPath);
  const result = await new ChaosChecker(kubeConfig, environment.postgres.endpoint, databases).check(schedule, workload.ledger);
  if (!operator.running) unexpectedExits += 1;

  await leakCheck.stop();
  for (const user of schedule.users) if (user.chosenPassword) leakCheck.add(user.chosenPassword);
  for (const passwords of workload.ledger.replacedPasswords.values()) for (const password of passwords) leakCheck.add(password);
  const logFiles = [environment.postgres.logFile, ...logFilesUnder(path.join(environment.dir, 'operators'))];
  const leaks = scanForPasswords(leakCheck.patterns(), logFiles, environment.dir);
  // PostgreSQL's own account of transactions whose client vanished (the cuts, and kills mid-transaction).
  const vanished = countLines(environment.postgres.logFile, 'unexpected EOF on client connection with an open transaction');

  // The checker's own test: break one thing of each kind with the operator stopped; a second check must see them all.
  await operator.stop();
  const checker = new ChaosChecker(kubeConfig, environment.postgres.endpoint, databases);
  const sabotageLog = path.join(environment.dir, 'operators', 'sabotage.log');
  const sabotages = await sabotage(schedule, workload.ledger, pgClient, http, databases, sabotageLog);
  const recheck = await checker.check(schedule, workload.ledger);
  const relisted = scanForPasswords(leakCheck.patterns(), [...logFiles, sabotageLog], environment.dir);
  rmSync(sabotageLog, { force: true });
  const findings = [...recheck.lost, ...recheck.orphaned, ...recheck.wrong, ...relisted.leaks];
  const missed = sabotages.filter((broken) => !findings.some((finding) => finding.includes(broken.expect)));
  for (const broken of missed) log(`CHECKER MISSED: ${broken.what}`);

  Object.assign(figures, {
    'operations sent': [...workload.ledger.sent.values()].reduce((a, b) => a + b, 0),
    ...Object.fromEntries([...workload.ledger.sent].map(([kind, n]) => [`operations: ${kind}`, n])),
    'SIGKILLs of the operator': counts.kills,
    'PostgreSQL restarts': counts.postgresRestarts,
    'API server restarts': counts.apiServerRestarts,
    'connections cut inside a transaction': counts.cutsInTransaction,
    'cuts that found no transaction within 60 s (all connections cut instead)': counts.cutsIdle,
    'connections cut in all': proxy.connectionsCut,
    'transactions PostgreSQL saw lose their client (its log)': vanished,
    'operator exits not caused by the run': unexpectedExits,
    'surviving users checked': result.usersChecked,
    'deleted users checked': result.deletedChecked,
    'logins with the Secret password': result.logins,
    'resets verified (replaced password refused)': result.resetsVerified,
    'resets sent before the user had a password': workload.ledger.resetsBeforeFirstPassword,
    lost: result.lost.length,
    orphaned: result.orphaned.length,
    'other contract violations': result.wrong.length,
    'passwords watched': leakCheck.size,
    'log files scanned': leaks.files,
    leaked: leaks.leaks.length,
    'checker self-test: sabotages it reported': `${sabotages.length - missed.length} of ${sabotages.length}`,
    'run time': `${((performance.now() - startedAt) / 1000 / 60).toFixed(1)} min`,
  });
  for (const [label, findings] of [
    ['LOST', result.lost],
    ['ORPHANED', result.orphaned],
    ['WRONG', result.wrong],
    ['LEAKED', leaks.leaks],
  ] as const) {
    for (const finding of findings.slice(0, 50)) log(`${label}: ${finding}`);
  }
  outcome.failed =
    !settled || unexpectedExits > 0 || missed.length > 0 || result.lost.length + result.orphaned.length + result.wrong.length + leaks.leaks.length > 0;
  if (outcome.failed) {
    const kept = path.join(repoRoot, '.local', 'chaos-logs');
    rmSync(kept, { recursive: true, force: true });
    mkdirSync(kept, { recursive: true });
    cpSync(path.join(environment.dir, 'operators'), path.join(kept, 'operators'), { recursive: true });
    log(`operator logs kept in ${path.relative(repoRoot, kept)}/ (free of passwords only if "leaked" is 0)`);
  }
  await proxy.close();
  await pgClient.close();
  await http.close();
} finally {
  await environment.stop();
}

console.log('\n| chaos run | result |\n|---|---|');
for (const [what, value] of Object.entries(figures)) console.log(`| ${what} | ${value} |`);
console.log(`\n${outcome.failed ? 'FAILED' : 'PASSED'}: ${replay}`);
process.exit(outcome.failed ? 1 : 0);

/**
 * Until every user the schedule keeps is Ready at its generation with its last reset handled and
 * every user it deletes is gone, or the timeout; logs progress. Only the Ready contract is read here:
 * the checker proves the rest from PostgreSQL.
 */
async function settle(http: KubeClient, schedule: Schedule, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const pending: string[] = [];
    for (const namespace of schedule.namespaces) {
      let list: { items: DatabaseUser[] };
      try {
        list = await http.request<{ items: DatabaseUser[] }>('GET', `/apis/dbuser.dev/v1alpha1/namespaces/${namespace}/databaseusers`);
      } catch {
        pending.push(`${namespace}: list failed`);
        continue;
      }
      const byName = new Map(list.items.map((user) => [user.metadata.name ?? '', user]));
      for (const planned of schedule.users.filter((user) => user.namespace === namespace)) {
        const expected = schedule.expected[planned.index];
        const user = byName.get(planned.name);
        if (expected?.deleted) {
          if (user) pending.push(`${namespace}/${planned.name}: not deleted yet`);
          continue;
        }
        const ready = user?.status?.conditions?.find((c) => c.type === 'Ready');
        const done =
          ready?.status === 'True' &&
          user?.status?.observedGeneration === user?.metadata.generation &&
          (expected?.lastResetToken === undefined ||
            (user?.status?.lastPasswordReset === expected.lastResetToken && user.metadata.annotations?.[resetAnnotation] === expected.lastResetToken));
        if (!done) pending.push(`${namespace}/${planned.name}: ${ready ? `${ready.status} ${ready.reason}` : 'no status yet'}`);
      }
    }
    if (pending.length === 0) return true;
    const now = performance.now();
    if (now > deadline) {
      log(`not settled after ${timeoutMs / 1000} s: ${pending.length} users, e.g. ${pending.slice(0, 10).join('; ')}`);
      return false;
    }
    if (now - lastReport > 30_000) {
      lastReport = now;
      log(`settling: ${pending.length} users pending, e.g. ${pending.slice(0, 3).join('; ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

function countLines(file: string, text: string): number {
  const grep = spawnSync('grep', ['-F', '-c', text, file], { encoding: 'utf8' });
  return Number(grep.stdout.trim()) || 0;
}
