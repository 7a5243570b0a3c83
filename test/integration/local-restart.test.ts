// Issue 22: `npm run local` starts again after an earlier run was killed at any point (SIGKILL of its
// whole process group during each step of its start, and once ready) or failed (an install that fails),
// and never leaves a server running: every kill is followed by a check that nothing of that run lives.
// Each run uses a directory of its own (DBUSER_LOCAL_DIR) instead of the checkout's .local/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { runKubectl } from '../harness/kubectl.js';
import { repoRoot } from '../harness/paths.js';
import { waitFor } from '../harness/wait.js';

const localDir = path.join(readHarnessState().dir, `local-${process.pid}`);
const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

interface LocalRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const runs: LocalRun[] = [];

function startLocal(env: Record<string, string> = {}): LocalRun {
  // Its own process group, as a shell gives it: the kills below hit the whole group (npm, tsx, node).
  const child = spawn(tsx, [path.join('test', 'harness', 'local.ts')], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, DBUSER_LOCAL_DIR: localDir },
  });
  let text = '';
  const collect = (chunk: Buffer): void => {
    text += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const run = { child, output: () => text, exited };
  runs.push(run);
  return run;
}

async function waitForOutput(run: LocalRun, line: string): Promise<void> {
  await waitFor(`npm run local to print "${line}"`, () => Promise.resolve(run.output().includes(line) ? true : undefined), {
    timeoutMs: 180_000,
    intervalMs: 20,
    abortIf: () => (run.child.exitCode === null ? undefined : `it exited (${String(run.child.exitCode)}):\n${run.output()}`),
  });
}

/** The pid of the process that runs local.ts (tsx runs it in a child), from the directory it claimed. */
function localPid(): number {
  return Number(readFileSync(path.join(localDir, 'local.pid'), 'utf8').trim());
}

/** Processes a run started: its servers (their run directory names its pid) and its operator (its KUBECONFIG). */
function processesOf(pid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (cmdline.includes(`dbuser-operator-run-${String(pid)}-`) || environ.includes(`KUBECONFIG=${path.join(localDir, 'kubeconfig')}`)) {
        found.push(`${entry}: ${cmdline.slice(0, 120)}`);
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  return found;
}

async function expectNothingLeftOf(pid: number): Promise<void> {
  await waitFor('every process of the killed run to end', () => Promise.resolve(processesOf(pid).length === 0 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
  });
}

async function killAfter(line: string): Promise<void> {
  const run = startLocal();
  await waitForOutput(run, line);
  const pid = localPid();
  process.kill(-(run.child.pid ?? 0), 'SIGKILL');
  await run.exited;
  await expectNothingLeftOf(pid);
}

afterAll(async () => {
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      process.kill(-(run.child.pid ?? 0), 'SIGINT');
      await run.exited;
    }
  }
});

describe('npm run local', () => {
  it('stops cleanly after a failed install, removing what it wrote', async () => {
    // kubectl that always fails: the install is the first thing it is used for.
    const run = startLocal({ KUBECTL_BIN: '/bin/false' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('[local] failed: ');
    expect(run.output()).toContain('[local] stopped');
    expect(['bin', 'kubeconfig', 'operator-kubeconfig', 'env', 'local.pid'].filter((file) => existsSync(path.join(localDir, file)))).toEqual([]);
  });

  it.each([
    ['while its servers start', '[local] starting the control plane and PostgreSQL'],
    ['right after it linked kubectl', '[local] linked kubectl'],
    ['while it installs deploy/', '[local] installing deploy/'],
    ['once the operator started', '[local] started the operator'],
    ['once ready', 'local environment ready'],
  ])('leaves no process behind when killed (SIGKILL) %s', async (_moment, line) => {
    await killAfter(line);
  });

  it('then starts again: leftovers removed, the examples Ready, a second run refused while it lives, and Ctrl-C stops everything', async () => {
    const run = startLocal();
    await waitForOutput(run, 'local environment ready');
    expect(run.output()).toContain('[local] removed leftover of an earlier run: ');
    expect(run.output()).not.toContain('EEXIST');
    const { kubectl } = readHarnessState().cluster;
    const ready = await runKubectl(kubectl, path.join(localDir, 'kubeconfig'), [
      'get',
      'dbu',
      '-o',
      'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
    ]);
    // The tenant's examples: each DatabaseUser, and each Database's default user.
    const users = readdirSync(path.join(repoRoot, 'examples'))
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) => readFileSync(path.join(repoRoot, 'examples', file), 'utf8').match(/^kind: (DatabaseUser|Database)$/gm) ?? []);
    expect(users.length).toBeGreaterThanOrEqual(2);
    expect(ready.stdout.split(' ')).toEqual(users.map(() => 'True'));
    expect(readFileSync(path.join(localDir, 'env'), 'utf8')).toContain(`export KUBECONFIG=${path.join(localDir, 'kubeconfig')}`);

    const second = startLocal();
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('npm run local is already running here');
    expect(existsSync(path.join(localDir, 'kubeconfig'))).toBe(true);

    const pid = localPid();
    process.kill(-(run.child.pid ?? 0), 'SIGINT');
    expect(await run.exited).toBe(0);
    await expectNothingLeftOf(pid);
    expect(['bin', 'kubeconfig', 'operator-kubeconfig', 'env', 'local.pid'].filter((file) => existsSync(path.join(localDir, file)))).toEqual([]);
  });
});
