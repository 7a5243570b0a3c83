/**
 * `kubectl dbuser dashboard`: the Database Users page on 127.0.0.1, acting with the person's
 * kubeconfig (the same session as the other commands), until Ctrl-C. Loaded only for this command.
 */
import type { Writable } from 'node:stream';
import { openSession, type ClusterTarget } from '../client/session.js';
import { loadAssets } from './assets.js';
import { newDashboardToken, startGatedServer } from './gated-server.js';
import { openBrowser } from './open-browser.js';
import { dashboardRoutes } from './routes.js';

/** What `kubectl dbuser dashboard` was asked for. */
export interface DashboardOptions {
  target: ClusterTarget;
  port: number;
  open: boolean;
  timeoutMs: number;
}

/** The streams and environment it runs with. */
export interface DashboardIo {
  stdin: { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** Resolves on Ctrl-C or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => {
      resolve();
    });
    process.once('SIGTERM', () => {
      resolve();
    });
  });
}

export async function runDashboard(invocation: DashboardOptions, io: DashboardIo, stopped: Promise<void> = untilInterrupted()): Promise<void> {
  const assets = await loadAssets();
  const session = await openSession(invocation.target, io.env, io.stdin.isTTY === true);
  try {
    const gated = await startGatedServer({
      port: invocation.port,
      token: newDashboardToken(),
      handler: dashboardRoutes({ session, assets, timeoutMs: invocation.timeoutMs }),
    });
    // The URL alone on stdout (scripts read it); the rest is for the person.
    io.stdout.write(`${gated.url}\n`);
    io.stderr.write(`Serving the Database Users page for namespace "${session.namespace}" on 127.0.0.1:${gated.port}. Press Ctrl-C to stop.\n`);
    if (invocation.open && !(await openBrowser(gated.url))) io.stderr.write('Could not start a browser: open the URL above yourself.\n');
    await stopped;
    await gated.close();
    io.stderr.write('Dashboard stopped.\n');
  } finally {
    await session.close();
  }
}
