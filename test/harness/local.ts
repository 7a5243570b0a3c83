// `npm run local`: a real control plane and PostgreSQL on this machine, the CRD and protection
// policy, the operator, and the examples applied; until Ctrl-C.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { LocalEnvironment } from './environment.js';
import { findFreePort } from './free-port.js';
import { installCrdAndPolicy } from './install.js';
import { runKubectl } from './kubectl.js';
import { repoRoot } from './paths.js';
import { parseMajor } from './postgres-server.js';
import { SupervisedProcess } from './supervised-process.js';

const localDir = path.join(repoRoot, '.local');
const kubeconfigFile = path.join(localDir, 'kubeconfig');
const envFile = path.join(localDir, 'env');
const binDir = path.join(localDir, 'bin');
const operatorLog = path.join(localDir, 'operator.log');
const database = 'shop';

function log(line: string): void {
  console.log(`[local] ${line}`);
}

const environment = await LocalEnvironment.start({ postgresMajor: parseMajor(process.env.PG_MAJOR), log });
// Assigned once started; the signal handlers below need it from the start.
let operator: SupervisedProcess | undefined = undefined;

let stopping = false;
async function shutDown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await operator?.stop();
  await environment.stop();
  for (const file of [kubeconfigFile, envFile, binDir]) rmSync(file, { recursive: true, force: true });
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutDown(signal));
process.on('SIGTERM', (signal) => void shutDown(signal));

const kubectl = async (...args: string[]): Promise<string> => {
  const result = await runKubectl(environment.cluster.kubectl, kubeconfigFile, args);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

mkdirSync(binDir, { recursive: true });
copyFileSync(environment.cluster.kubeconfigPath, kubeconfigFile);
symlinkSync(environment.cluster.kubectl, path.join(binDir, 'kubectl'));
// The dashboard's page is a bundle: build it (esbuild, well under a second) for `kubectl dbuser dashboard`.
execFileSync('npm', ['run', '--silent', 'build:page'], { cwd: repoRoot, stdio: 'inherit' });
// The plugin, from the source with the project's Node 24 (whatever `node` is on PATH): `kubectl dbuser ...`.
writeFileSync(
  path.join(binDir, 'kubectl-dbuser'),
  `#!/bin/sh\nexec '${process.execPath}' --import '${import.meta.resolve('tsx')}' '${path.join(repoRoot, 'src', 'cli', 'main.ts')}' "$@"\n`,
  { mode: 0o755 },
);
const { postgres } = environment;
writeFileSync(envFile, [`export KUBECONFIG=${kubeconfigFile}`, `export DATABASE_URL='${postgres.url}'`, `export PATH="${binDir}:$PATH"`, ''].join('\n'), {
  mode: 0o600,
});

// The examples' world: a database "shop" with an owner of its own, and the admin Secret they name.
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query(`CREATE ROLE shop_owner LOGIN PASSWORD ${pg.escapeLiteral(await scramSha256Verifier(randomBytes(18).toString('base64url')))}`);
await admin.query(`CREATE DATABASE ${database} OWNER shop_owner`);
await admin.end();
await installCrdAndPolicy(environment.cluster);
const connectionSecret = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'shop-pg-admin', namespace: 'default' },
  stringData: { host: postgres.host, port: String(postgres.port), username: postgres.superuser, password: postgres.password, dbname: database },
});
const applied = await runKubectl(environment.cluster.kubectl, kubeconfigFile, ['apply', '-f', '-'], connectionSecret);
if (applied.code !== 0) throw new Error(applied.stderr);

const httpPort = await findFreePort();
operator = SupervisedProcess.start({
  name: 'operator',
  command: process.execPath,
  args: ['--import', 'tsx', path.join(repoRoot, 'src', 'main.ts')],
  cwd: repoRoot,
  // The default connection lets `kubectl dbuser create my_user` work with no flags, as on the provider's page.
  env: {
    ...process.env,
    KUBECONFIG: kubeconfigFile,
    OPERATOR_NAMESPACE: 'default',
    DEFAULT_CONNECTION_SECRET: 'default/shop-pg-admin',
    HTTP_PORT: String(httpPort),
    LEADER_ELECT: 'true',
  },
  logFile: operatorLog,
  stopSignal: 'SIGTERM',
});

const examples = readdirSync(path.join(repoRoot, 'examples'))
  .filter((file) => file.endsWith('.yaml') && file !== 'connection-secret.yaml')
  .map((file) => path.join(repoRoot, 'examples', file));
await kubectl('apply', ...examples.flatMap((file) => ['-f', file]));
const waited = await runKubectl(environment.cluster.kubectl, kubeconfigFile, ['wait', '--for=condition=Ready', 'dbu', '--all', '--timeout=60s']);
if (waited.code !== 0) log(`not every example became Ready (see ${operatorLog}): ${waited.stderr.trim()}`);

console.log(await kubectl('get', 'dbu'));
console.log('local environment ready');
console.log(`  kube-apiserver ${environment.controlPlane?.kubernetesVersion ?? ''} at ${environment.controlPlane?.server ?? ''}`);
console.log(`  PostgreSQL ${postgres.major} at ${postgres.host}:${postgres.port}, database "${database}"`);
console.log(`  operator: log ${path.relative(process.cwd(), operatorLog)}, metrics http://127.0.0.1:${httpPort}/metrics`);
console.log(`  in another shell:  source ${path.relative(process.cwd(), envFile)} && kubectl dbuser list && psql "$DATABASE_URL"`);
console.log('  Ctrl-C stops everything');
