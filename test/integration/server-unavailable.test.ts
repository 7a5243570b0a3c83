// Acceptance 14: PostgreSQL stopped: users report ServerUnavailable, the operator neither crashes nor
// spins; when PostgreSQL returns, every user is Ready again without intervention. Uses a PostgreSQL
// of its own, so stopping it disturbs no other test.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { PostgresServer } from '../harness/postgres-server.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue } from './support/operator-process.js';
import { PgTestClient, uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let server: PostgresServer;
let serverPg: PgTestClient;
const names = ['one', 'two', 'three'];

beforeAll(async () => {
  const state = readHarnessState();
  server = await PostgresServer.start({ dir: path.join(state.dir, `private-postgres-${process.pid}`), major: state.postgres.major });
  serverPg = new PgTestClient(server.endpoint);
  ctx = await createTestContext('unavailable', { operatorEnv: { RESYNC_INTERVAL: '2s', RETRY_BACKOFF_MAX: '2s', PG_CONNECT_TIMEOUT: '1s' } });
  await ctx.kube.putSecret('private-pg', { uri: serverPg.adminUri('postgres') });
  for (const name of names) await ctx.kube.createUser(name, { username: uniqueUsername(`unavail_${name}`), connection: { secretName: 'private-pg' } });
  for (const name of names) await ctx.kube.waitReady(name);
});

afterAll(async () => {
  await destroyTestContext(ctx);
  await serverPg.close();
  await server.stop();
});

describe('PostgreSQL going away', () => {
  it('is reported as ServerUnavailable, without crashing or spinning, and recovered from unaided', async () => {
    await serverPg.close();
    await server.stop();
    for (const name of names) {
      const user = await ctx.kube.waitReason(name, 'ServerUnavailable', 30_000);
      expect(user.status?.conditions?.[0]?.message).toMatch(/ECONNREFUSED|connect/i);
    }
    // Watch it for 10 s: still running, and retrying at a bounded pace (backoff) rather than spinning.
    const before = metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_reconcile_total');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const after = metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_reconcile_total');
    expect(ctx.operator?.running).toBe(true);
    // Three users, retried at most every ~1-2 s and resynced every 2 s: a few dozen at most; a spin would be thousands.
    expect(after - before).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(60);

    await server.start();
    for (const name of names) await ctx.kube.waitReady(name, 60_000);
    for (const name of names) {
      const data = await ctx.kube.secretData(`${name}-credentials`);
      expect(await serverPg.canLogin(data?.uri ?? '')).toBe(true);
    }
  });
});
