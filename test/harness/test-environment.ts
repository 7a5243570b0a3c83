import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalEnvironment } from './environment.js';
import { harnessStateEnv, type HarnessState } from './harness-state.js';
import { parseMajor } from './postgres-server.js';

let running: LocalEnvironment | undefined;

/** Starts the run's control plane and PostgreSQL (jest global setup, in jest's main process). */
export async function setUpTestEnvironment(): Promise<void> {
  const started = Date.now();
  const environment = await LocalEnvironment.start({
    postgresMajor: parseMajor(process.env.PG_MAJOR),
    // Every statement is logged so the suite can prove no password ever reaches PostgreSQL.
    postgresSettings: { log_statement: 'all' },
    log: (line) => {
      process.stderr.write(`[harness] ${line}\n`);
    },
  });
  running = environment;
  // Ctrl-C reaches the servers too (same process group); wait for them and remove the run directory.
  process.once('SIGINT', () => {
    void environment.stop().finally(() => process.exit(130));
  });
  const state: HarnessState = { dir: environment.dir, kubernetes: environment.controlPlane.endpoint, postgres: environment.postgres.endpoint };
  const stateFile = path.join(environment.dir, 'state.json');
  writeFileSync(stateFile, JSON.stringify(state));
  process.env[harnessStateEnv] = stateFile;
  process.stderr.write(
    `\n[harness] kube-apiserver ${environment.controlPlane.kubernetesVersion} + PostgreSQL ${environment.postgres.major} ready in ${Date.now() - started} ms\n`,
  );
}

export async function tearDownTestEnvironment(): Promise<void> {
  await running?.stop();
  running = undefined;
}
