// `npm run local`: a real control plane and PostgreSQL on this machine, until Ctrl-C.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LocalEnvironment } from './environment.js';
import { repoRoot } from './paths.js';
import { parseMajor } from './postgres-server.js';

const localDir = path.join(repoRoot, '.local');
const kubeconfigFile = path.join(localDir, 'kubeconfig');
const envFile = path.join(localDir, 'env');

function log(line: string): void {
  console.log(`[local] ${line}`);
}

const environment = await LocalEnvironment.start({ postgresMajor: parseMajor(process.env.PG_MAJOR), log });

let stopping = false;
async function shutDown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await environment.stop();
  rmSync(kubeconfigFile, { force: true });
  rmSync(envFile, { force: true });
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutDown(signal));
process.on('SIGTERM', (signal) => void shutDown(signal));

mkdirSync(localDir, { recursive: true });
copyFileSync(environment.controlPlane.kubeconfigPath, kubeconfigFile);
writeFileSync(envFile, `export KUBECONFIG=${kubeconfigFile}\nexport DATABASE_URL='${environment.postgres.url}'\n`, { mode: 0o600 });

console.log('local environment ready');
console.log(`  kube-apiserver ${environment.controlPlane.kubernetesVersion} at ${environment.controlPlane.server}`);
console.log(`  PostgreSQL ${environment.postgres.major} at ${environment.postgres.host}:${environment.postgres.port}`);
console.log(`  in another shell:  source ${path.relative(process.cwd(), envFile) || envFile} && kubectl get ns && psql "$DATABASE_URL"`);
console.log('  Ctrl-C stops everything');
