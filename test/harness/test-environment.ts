import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalEnvironment } from './environment.js';
import { ensureGitopsTools } from './gitops-tools.js';
import { harnessStateEnv, type HarnessState } from './harness-state.js';
import { ensureOperationsTools } from './operations-tools.js';
import { installDeployment } from './install.js';
import { logFilesUnder, PasswordLeakCheck } from './password-leak-check.js';
import { ensurePreviousRelease } from './previous-release.js';
import { repoRoot } from './paths.js';
import { parseMajor } from './postgres-server.js';

let running: LocalEnvironment | undefined;
let leakCheck: PasswordLeakCheck | undefined;

/**
 * Starts the run's control plane (or uses DBUSER_TEST_KUBECONFIG's cluster) and PostgreSQL, and
 * installs deploy/ (jest global setup, in jest's main process).
 */
export async function setUpTestEnvironment(): Promise<void> {
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[harness] ${line}\n`);
  };
  const tools = { ...(await ensureGitopsTools(log)), ...(await ensureOperationsTools(log)) };
  const previousRelease = ensurePreviousRelease(log);
  const environment = await LocalEnvironment.start({
    postgresMajor: parseMajor(process.env.PG_MAJOR),
    externalKubeconfig: process.env.DBUSER_TEST_KUBECONFIG,
    // Every statement is logged so the suite can prove no password ever reaches PostgreSQL.
    postgresSettings: { log_statement: 'all' },
    log,
  });
  running = environment;
  // As installed with WATCH_NAMESPACES: each test file's namespace gets its RoleBinding (support/fixture.ts).
  const operator = await installDeployment(environment.cluster, environment.dir, 'namespaced');
  leakCheck = new PasswordLeakCheck(environment.cluster.kubeconfigPath);
  leakCheck.add(environment.postgres.password);
  await leakCheck.start();
  // Ctrl-C reaches only this process (servers run in their own process groups): stop them in order.
  process.once('SIGINT', () => {
    void environment.stop().finally(() => process.exit(130));
  });
  const state: HarnessState = { dir: environment.dir, cluster: environment.cluster, operator, postgres: environment.postgres.endpoint, tools, previousRelease };
  const stateFile = path.join(environment.dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state));
  process.env[harnessStateEnv] = stateFile;
  process.stderr.write(`\n[harness] ${environment.describe()} ready in ${Date.now() - started} ms\n`);
}

/**
 * Stops everything; first proves that no password any Secret held during the run appears in the
 * PostgreSQL log (log_statement=all) or any operator's log. A leak fails the run.
 */
export async function tearDownTestEnvironment(): Promise<void> {
  const environment = running;
  running = undefined;
  if (!environment) return;
  let leaks: string[] = [];
  if (leakCheck) {
    await leakCheck.stop();
    const files = [environment.postgres.logFile, ...logFilesUnder(path.join(environment.dir, 'operators'))];
    const result = leakCheck.scan(files);
    leaks = result.leaks;
    process.stderr.write(`[harness] password leak check: ${result.passwords} passwords, ${result.files} log files, ${leaks.length} leaks\n`);
  }
  if (leaks.length === 0) keepOperatorLogs(path.join(environment.dir, 'operators'));
  await environment.stop();
  if (leaks.length > 0) throw new Error(`passwords leaked into logs:\n${leaks.join('\n')}`);
}

/** The last run's operator logs (checked free of passwords just before), for a failure to be read after the run directory is gone. */
function keepOperatorLogs(from: string): void {
  if (!existsSync(from)) return;
  const kept = path.join(repoRoot, '.local', 'test-logs');
  rmSync(kept, { recursive: true, force: true });
  cpSync(from, kept, { recursive: true });
  process.stderr.write(`[harness] operator logs of this run kept in ${path.relative(repoRoot, kept)}/\n`);
}
