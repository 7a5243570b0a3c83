// `npm run local`: a real control plane and PostgreSQL on this machine, the install of deploy/ (CRDs,
// RBAC, admission policies), the operator as its ServiceAccount, the platform's part (the local
// PostgreSQL registered as DatabaseServer "main") and the tenant's examples applied; until Ctrl-C. It starts again after any earlier
// run, however that ended (Ctrl-C, a failure, SIGKILL at any moment): see local-run.ts.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalEnvironment } from './environment.js';
import { findFreePort } from './free-port.js';
import { installDeployment, operatorServiceAccount } from './install.js';
import { runKubectl } from './kubectl.js';
import { claimLocalDirectory, linkFresh, localPaths, releaseLocalDirectory } from './local-run.js';
import { repoRoot } from './paths.js';
import { parseMajor } from './postgres-server.js';
import { SupervisedProcess } from './supervised-process.js';

const paths = localPaths(process.env.DBUSER_LOCAL_DIR ?? path.join(repoRoot, '.local'));
/** The examples' Database (examples/database.yaml) and where its users live. */
const exampleDatabase = { name: 'my-app', databaseName: 'my_app_4553' };
const serverAdminSecret = 'main-pg-admin';

function log(line: string): void {
  console.log(`[local] ${line}`);
}

let claimed = false;
let environment: LocalEnvironment | undefined;
let operator: SupervisedProcess | undefined;
let stopping: Promise<never> | undefined;

/** Stops whatever this run started and removes what it wrote, then exits; a second signal waits for the first. */
function shutDown(why: string, code: number): Promise<never> {
  stopping ??= (async () => {
    log(`${why}: stopping`);
    await operator?.stop();
    await environment?.stop();
    if (claimed) releaseLocalDirectory(paths);
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', (signal) => void shutDown(signal, 0));
process.on('SIGTERM', (signal) => void shutDown(signal, 0));

async function start(): Promise<void> {
  for (const leftover of claimLocalDirectory(paths)) log(`removed leftover of an earlier run: ${leftover}`);
  claimed = true;
  log('starting the control plane and PostgreSQL');
  environment = await LocalEnvironment.start({ postgresMajor: parseMajor(process.env.PG_MAJOR), log });
  const cluster = environment.cluster;
  log(`started ${environment.describe()}`);

  const kubectl = async (...args: string[]): Promise<string> => {
    const result = await runKubectl(cluster.kubectl, paths.kubeconfig, args);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };

  copyFileSync(cluster.kubeconfigPath, paths.kubeconfig);
  linkFresh(cluster.kubectl, path.join(paths.bin, 'kubectl'));
  log('linked kubectl');
  // The dashboard's page is a bundle: build it (esbuild, well under a second) for `kubectl dbuser dashboard`.
  execFileSync('npm', ['run', '--silent', 'build:page'], { cwd: repoRoot, stdio: 'inherit' });
  // The plugin, from the source with the project's Node 24 (whatever `node` is on PATH): `kubectl dbuser ...`.
  writeFileSync(
    path.join(paths.bin, 'kubectl-dbuser'),
    `#!/bin/sh\nexec '${process.execPath}' --import '${import.meta.resolve('tsx')}' '${path.join(repoRoot, 'src', 'cli', 'main.ts')}' "$@"\n`,
    { mode: 0o755 },
  );
  const { postgres } = environment;
  // psql as the admin, in the examples' database (where their users are).
  const databaseUrl = new URL(postgres.url);
  databaseUrl.pathname = `/${exampleDatabase.databaseName}`;
  writeFileSync(
    paths.env,
    [`export KUBECONFIG=${paths.kubeconfig}`, `export DATABASE_URL='${databaseUrl.href}'`, `export PATH="${paths.bin}:$PATH"`, ''].join('\n'),
    { mode: 0o600 },
  );

  log('installing deploy/ (CRDs, RBAC, admission policies)');
  const identity = await installDeployment(cluster, paths.dir);
  log(identity.capabilities.requesterStamp ? 'installed (with the requester stamp)' : 'installed (without the requester stamp: Kubernetes before 1.36)');
  // The operator runs below as a process of this machine, with the Deployment's ServiceAccount: no pod.
  await kubectl('scale', 'deployment', 'dbuser-operator', '-n', operatorServiceAccount.namespace, '--replicas=0');

  // The platform team's part (examples/platform/): the server's admin Secret, then the server.
  const adminSecret = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: serverAdminSecret, namespace: operatorServiceAccount.namespace },
    stringData: { host: postgres.host, port: String(postgres.port), username: postgres.superuser, password: postgres.password, dbname: 'postgres' },
  });
  const applied = await runKubectl(cluster.kubectl, paths.kubeconfig, ['apply', '-f', '-'], adminSecret);
  if (applied.code !== 0) throw new Error(applied.stderr);
  await kubectl('apply', '-f', path.join(repoRoot, 'examples', 'platform', 'database-server.yaml'));
  log('registered the local PostgreSQL as DatabaseServer "main"');

  const httpPort = await findFreePort();
  writeFileSync(paths.operatorLog, '');
  operator = SupervisedProcess.start({
    name: 'operator',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(repoRoot, 'src', 'main.ts')],
    cwd: repoRoot,
    // No default connection: tenants reach PostgreSQL through their Databases only (ADR 22).
    env: {
      ...process.env,
      KUBECONFIG: identity.kubeconfigPath,
      OPERATOR_NAMESPACE: operatorServiceAccount.namespace,
      HTTP_PORT: String(httpPort),
      LEADER_ELECT: 'true',
    },
    logFile: paths.operatorLog,
    stopSignal: 'SIGTERM',
  });
  log('started the operator');

  // The tenant's part: the Database and its users (examples/*.yaml; platform/ and own-server/ are not applied).
  const examples = readdirSync(path.join(repoRoot, 'examples'))
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => path.join(repoRoot, 'examples', file));
  await kubectl('apply', '-n', 'default', ...examples.flatMap((file) => ['-f', file]));
  log('applied examples/');
  for (const kind of ['database', 'dbu']) {
    const waited = await runKubectl(cluster.kubectl, paths.kubeconfig, ['wait', '-n', 'default', '--for=condition=Ready', kind, '--all', '--timeout=90s']);
    if (waited.code !== 0) log(`not every example became Ready (see ${paths.operatorLog}): ${waited.stderr.trim()}`);
  }

  console.log(await kubectl('get', 'databaseservers,databases,dbu', '-n', 'default'));
  console.log('local environment ready');
  console.log(`  kube-apiserver ${environment.controlPlane?.kubernetesVersion ?? ''} at ${environment.controlPlane?.server ?? ''}`);
  console.log(
    `  PostgreSQL ${postgres.major} at ${postgres.host}:${postgres.port}, DatabaseServer "main"; Database "${exampleDatabase.name}" is "${exampleDatabase.databaseName}"`,
  );
  console.log(`  operator: log ${path.relative(process.cwd(), paths.operatorLog)}, metrics http://127.0.0.1:${httpPort}/metrics`);
  console.log(`  in another shell:  source ${path.relative(process.cwd(), paths.env)} && kubectl dbuser list && psql "$DATABASE_URL"`);
  console.log('  Ctrl-C stops everything');
}

try {
  await start();
} catch (error) {
  console.error(`[local] failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutDown('failed', 1);
}
