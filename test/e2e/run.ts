// `npm run test:e2e`: a real single-node cluster in namespaces of its own, the operator's image built
// from the Dockerfile, and the e2e jest project run inside those namespaces. See README, "End-to-end tier".
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../harness/paths.js';
import { buildahStorage } from './image/buildah.js';
import { baseRecipeKey, ensureBaseImage } from './image/base-image.js';
import { ensureOperatorArchive, operatorImageName } from './image/operator-image.js';
import { ensurePauseArchive } from './image/pause-image.js';
import { CgroupTree, detectCgroupLayout } from './node/cgroups.js';
import { detectHostSettings } from './node/host-settings.js';
import { ensureNodeBinaries } from './node/node-binaries.js';
import { network } from './node/node-config.js';
import { NodeNamespaces } from './node/node-namespaces.js';
import { Node } from './node/node.js';
import { checkPrerequisites, PreflightError } from './node/preflight.js';
import { runDirectoryFor, sweepLeftovers, writeRunRecord } from './node/run-state.js';
import { e2eStateEnv, type E2eState } from './support/e2e-state.js';

const started = Date.now();
const log = (line: string): void => {
  console.log(`[e2e +${Math.round((Date.now() - started) / 1000)}s] ${line}`);
};

let teardown: (() => Promise<void>) | undefined;
let tearingDown: Promise<void> | undefined;
/** Once, however many ask (a signal and the end of main): every caller waits for the same teardown. */
async function tearDown(): Promise<void> {
  if (!teardown) return;
  const run = teardown;
  tearingDown ??= (async () => {
    const begun = Date.now();
    await run();
    log(`teardown done in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
  })();
  await tearingDown;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: tearing down`);
    void tearDown().finally(() => process.exit(130));
  });
}

/** jest inside the node's namespaces and cgroup, so tests reach the cluster's addresses directly. */
function runJest(namespaces: NodeNamespaces, stateFile: string, extraArgs: string[]): Promise<number> {
  const jestArgs = [
    '--disable-warning=ExperimentalWarning',
    '--experimental-vm-modules',
    path.join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--selectProjects',
    'e2e',
    '--runInBand',
    ...extraArgs,
  ];
  const [command, args] = namespaces.enter(process.execPath, jestArgs);
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args], {
      stdio: 'inherit',
      cwd: repoRoot,
      env: { ...process.env, [e2eStateEnv]: stateFile },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

async function main(): Promise<number> {
  checkPrerequisites(detectCgroupLayout);
  const layout = detectCgroupLayout();
  for (const leftover of await sweepLeftovers(layout)) log(`removed leftover of a killed run: ${leftover}`);

  const runDir = runDirectoryFor(process.pid);
  mkdirSync(runDir, { recursive: true });
  const tree = CgroupTree.forRun(layout, process.pid);
  writeRunRecord(runDir, { pid: process.pid, cgroupRoot: tree.root, createdCgroups: [] });
  const running: { node?: Node; namespaces?: NodeNamespaces } = {};
  teardown = async () => {
    await running.node?.stop().catch((error: unknown) => {
      log(`stopping the node: ${String(error)}`);
    });
    await running.namespaces?.stop();
    await tree.destroy();
    rmSync(runDir, { recursive: true, force: true });
  };

  const buildStarted = Date.now();
  const binaries = await ensureNodeBinaries(log);
  const storage = buildahStorage(runDir);
  const pauseArchive = await ensurePauseArchive(storage);
  await ensureBaseImage(storage, path.join(runDir, 'base-image'), log);
  const operatorImage = await ensureOperatorArchive(storage, runDir, baseRecipeKey(), log);
  log(`binaries and images ready in ${Math.round((Date.now() - buildStarted) / 1000)} s`);

  const host = detectHostSettings(layout);
  log(
    `host: cgroup ${layout.v1 ? 'v1 (hybrid)' : 'v2'} via ${host.cgroupDriver}, base ${layout.base}; swap ${host.swapOn ? 'on' : 'off'}; restrict_oom_score_adj ${String(host.restrictOomScoreAdj)}`,
  );
  tree.create((created) => {
    writeRunRecord(runDir, { pid: process.pid, cgroupRoot: tree.root, createdCgroups: created });
  });
  const namespaces = await NodeNamespaces.create({
    runDir,
    address: network.nodeAddress,
    bridgeGateway: network.bridgeGateway,
    serviceCidr: network.serviceCidr,
    tree,
  });
  running.namespaces = namespaces;
  const nodeStarted = Date.now();
  const node = await Node.start({ runDir, binaries, host, namespaces, images: [pauseArchive, operatorImage.archive], log });
  running.node = node;
  log(`node ready in ${Math.round((Date.now() - nodeStarted) / 1000)} s`);

  const state: E2eState = {
    runDir,
    kubeconfigPath: node.adminKubeconfig,
    kubectl: binaries.kubectl,
    nodeAddress: network.nodeAddress,
    operatorImage: operatorImageName,
    operatorArchive: operatorImage.archive,
    buildSettings: operatorImage.buildSettings,
    logsDir: node.file('logs'),
  };
  const stateFile = path.join(runDir, 'e2e-state.json');
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  const code = await runJest(namespaces, stateFile, process.argv.slice(2));
  if (code !== 0) {
    // The run directory goes with the teardown; the components' logs are what explains a failure.
    const kept = path.join(repoRoot, '.local', 'e2e-logs', new Date().toISOString().replace(/[:.]/g, '-'));
    cpSync(node.file('logs'), kept, { recursive: true });
    cpSync(node.file('fs', 'var', 'log', 'pods'), path.join(kept, 'pods'), { recursive: true });
    log(`tests failed; node processes:\n${node.processSummary()}\ncomponent logs copied to ${kept}`);
  }
  return code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  if (error instanceof PreflightError) {
    console.error(`e2e: ${error.message}`);
    exitCode = 2;
  } else {
    console.error(error);
  }
} finally {
  await tearDown();
}
process.exit(exitCode);
