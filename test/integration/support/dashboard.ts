import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { readHarnessState } from '../../harness/harness-state.js';
import { repoRoot } from '../../harness/paths.js';
import { SupervisedProcess } from '../../harness/supervised-process.js';
import { waitFor } from '../../harness/wait.js';
import { cliEnv, cliScript } from './cli.js';

/** Dashboards started by this test file: the first logs where it always did, the others beside it. */
let started = 0;

/**
 * `kubectl dbuser dashboard --no-open -n <namespace>` as a person starts it: the compiled plugin in
 * its own process, with the harness admin's kubeconfig. Its output goes to a log under the run
 * directory, which the suite's password leak check scans.
 */
export class DashboardProcess {
  private constructor(
    private readonly process: SupervisedProcess,
    readonly url: string,
    readonly logFile: string,
  ) {}

  /** `flags`: more of the command's flags (e.g. --timeout); each dashboard of a test file logs to its own file. */
  static async start(namespace: string, flags: readonly string[] = []): Promise<DashboardProcess> {
    const logDir = path.join(readHarnessState().dir, 'dashboards');
    mkdirSync(logDir, { recursive: true });
    started += 1;
    const logFile = path.join(logDir, `${namespace}-${process.pid}${started === 1 ? '' : `-${started}`}.log`);
    const child = SupervisedProcess.start({
      name: 'kubectl dbuser dashboard',
      command: process.execPath,
      args: [cliScript, 'dashboard', '--no-open', '-n', namespace, ...flags],
      env: cliEnv(),
      logFile,
      stopSignal: 'SIGTERM',
      cwd: repoRoot,
    });
    const url = await waitFor(
      'the dashboard to print its URL',
      () => Promise.resolve(/^(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)$/m.exec(readFileSync(logFile, 'utf8'))?.[1]),
      { timeoutMs: 20_000, intervalMs: 100, abortIf: () => child.exitReason() },
    );
    return new DashboardProcess(child, url, logFile);
  }

  get origin(): string {
    return new URL(this.url).origin;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Whether the process has ended (it must not, whatever it is sent). */
  get exited(): boolean {
    return !this.process.running;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  output(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  async stop(): Promise<void> {
    await this.process.stop(10_000);
  }
}

/** The flags that keep Chromium from calling out: the tests' traffic stays on this machine. */
const quietChromium = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's headless Chromium with a fresh profile, driven by playwright-core; close() removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'dbuser-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: quietChromium,
    viewport: { width: 1180, height: 400 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
