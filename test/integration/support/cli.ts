import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from '@jest/globals';
import { readHarnessState } from '../../harness/harness-state.js';
import type { KubectlResult } from '../../harness/kubectl.js';
import { repoRoot } from '../../harness/paths.js';
import { waitFor } from '../../harness/wait.js';
import type { KubeTestClient } from './kube.js';

/** The compiled plugin, as `npm i -g` installs it (npm run test:integration builds it). */
export const cliScript = path.join(repoRoot, 'dist', 'cli', 'main.js');

/**
 * A directory holding `kubectl-dbuser` (a link to the compiled file, run by its own shebang) and a
 * PATH that finds it and the project's Node 24 first: what a person has after installing the plugin.
 */
export function pluginPath(): string {
  const bin = mkdtempSync(path.join(tmpdir(), 'kubectl-dbuser-bin-'));
  symlinkSync(cliScript, path.join(bin, 'kubectl-dbuser'));
  return [bin, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
}

/** The environment the plugin runs in: the harness admin's kubeconfig, nothing else of the test's. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: readHarnessState().cluster.kubeconfigPath, ...extra };
}

/** Runs a program without a terminal: stdin is a pipe carrying `input` (or closed at once). */
export function runWithoutTerminal(
  command: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(command, [...args], { env: options.env ?? cliEnv(), maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** `kubectl dbuser <args> -n <namespace>` without a terminal, as a script runs it. */
export function kubectlDbuser(namespace: string, args: readonly string[], input?: string): Promise<KubectlResult> {
  return runWithoutTerminal(process.execPath, [cliScript, ...args, '-n', namespace], input === undefined ? {} : { input });
}

/** The password in `User "x" created with password "…".` or `… updated with password "…".` */
export function printedPassword(output: string): string {
  const match = /User "[^"]+" (?:created|updated) with password "([A-Za-z0-9_]{64})"\./.exec(output);
  if (!match?.[1]) throw new Error(`no generated password in: ${output}`);
  return match[1];
}

/** Waits until the clock is past the second a DatabaseUser was created in (creationTimestamp counts whole seconds). */
export async function afterCreationSecondOf(kube: KubeTestClient, name: string): Promise<void> {
  const created = Date.parse((await kube.getUser(name))?.metadata.creationTimestamp ?? '');
  expect(Number.isNaN(created)).toBe(false);
  await waitFor('the next second', () => Promise.resolve(Date.now() >= created + 1_000 || undefined), { timeoutMs: 5_000, intervalMs: 50 });
}
