// Issue 24: the operator's connections to one server stay within PG_MAX_CONNECTIONS_PER_SERVER
// whatever the number of databases (ADR 24). Thirty Databases with three users each (the default
// user and two more) on one server, under an operator bounded to 4 connections: pg_stat_activity,
// sampled through the whole run, never shows more than 4 of its sessions; every user is Ready and
// logs in; and the connections to databases nobody reconciles any more close after PG_IDLE_TIMEOUT.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../harness/wait.js';
import { ConnectionSampler } from './support/connection-sampler.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue, OperatorProcess } from './support/operator-process.js';
import { applyAs, databaseManifest, kubectlAs, operatorNamespace, registerServer, userManifest, waitForDatabase } from './support/platform.js';

const bound = 4;
const databaseCount = 30;
/** Unique to this run: the databases' names start with it, so the sampler counts only this file's sessions. */
const prefix = `cb${randomBytes(3).toString('hex')}_`;
const databaseName = (i: number) => `${prefix}${String(i).padStart(2, '0')}`;

let ctx: TestContext;
let operator: OperatorProcess;
let server = '';
let sampler: ConnectionSampler;
/** Only the sessions on the Databases' own databases (not the maintenance one). */
let onDatabases: ConnectionSampler;

beforeAll(async () => {
  ctx = await createTestContext('connection-bound', { startOperator: false });
  // The server's maintenance database is this file's own: every session the operator opens here is on
  // it or on one of the prefixed databases, whatever other files' operators do meanwhile.
  ({ name: server } = await registerServer(ctx.pg, {
    owner: ctx.namespace,
    prefix: 'bounded',
    maintenanceDatabase: ctx.database,
    spec: { namespaces: [ctx.namespace] },
  }));
  sampler = new ConnectionSampler(ctx.pg.admin(), { applicationName: 'dbuser-operator', databases: { names: [ctx.database], prefix } });
  sampler.start();
  onDatabases = new ConnectionSampler(ctx.pg.admin(), { applicationName: 'dbuser-operator', databases: { names: [], prefix } });
  onDatabases.start(50);
  operator = await OperatorProcess.start({
    namespace: ctx.namespace,
    env: { OPERATOR_NAMESPACE: operatorNamespace, PG_MAX_CONNECTIONS_PER_SERVER: String(bound), PG_IDLE_TIMEOUT: '2s', LOG_LEVEL: 'info' },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([sampler.stop(), onDatabases.stop()]);
  await destroyTestContext({ ...ctx, operator });
  await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
}, 300_000);

async function applyList(items: object[]): Promise<void> {
  const applied = await applyAs(undefined, ctx.namespace, { apiVersion: 'v1', kind: 'List', items });
  expect(applied.stderr).toBe('');
}

describe(`${databaseCount} Databases on one server, the operator bounded to ${bound} connections`, () => {
  it('never holds more than the bound, and every user is Ready and logs in', async () => {
    await applyList(
      Array.from({ length: databaseCount }, (_, i) => databaseManifest(`db-${i}`, { serverRef: { name: server }, databaseName: databaseName(i) })),
    );
    for (let i = 0; i < databaseCount; i++) await waitForDatabase(ctx.namespace, `db-${i}`, undefined, 240_000);
    await applyList(
      Array.from({ length: databaseCount }, (_, i) =>
        (['rw', 'ro'] as const).map((kind) =>
          userManifest(`db-${i}-${kind}`, { username: `${databaseName(i)}_${kind}`, readOnly: kind === 'ro', databaseRef: { name: `db-${i}` } }),
        ),
      ).flat(),
    );
    const users = Array.from({ length: databaseCount }, (_, i) => [`db-${i}`, `db-${i}-rw`, `db-${i}-ro`]).flat();
    for (const name of users) await ctx.kube.waitReady(name, 240_000);

    for (const name of users) {
      const credentials = await ctx.kube.waitSecret(`${name}-credentials`, 'a uri', (data) => data.uri !== undefined);
      expect(await ctx.pg.canLogin(credentials.uri ?? '')).toBe(true);
    }
    // The sampler saw the operator at work (it cannot pass by seeing nothing), and never above the bound.
    expect(sampler.samples.length).toBeGreaterThan(100);
    expect(sampler.peak).toBeGreaterThanOrEqual(2);
    expect(sampler.peak).toBeLessThanOrEqual(bound);
    // Per-database connections were opened (grants and logins happen there)...
    expect(onDatabases.peak).toBeGreaterThanOrEqual(1);
    // The operator's own count agrees.
    const metrics = await operator.metrics();
    const open = metricValue(metrics, 'dbuser_operator_postgres_connections');
    expect(open).toBeLessThanOrEqual(bound);
  }, 900_000);

  it('closes the connections to databases nobody reconciles after the idle timeout', async () => {
    // ...and, resync being an hour away, with nothing to do they go idle and close.
    await waitFor('the idle connections to the databases to close', async () => ((await onDatabases.count()) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    await waitFor(
      'the operator to report no open connection',
      async () => {
        const open = metricValue(await operator.metrics(), 'dbuser_operator_postgres_connections');
        return open === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(sampler.peak).toBeLessThanOrEqual(bound);
  }, 150_000);
});
