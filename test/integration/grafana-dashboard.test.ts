// Issue 22: every query of the Grafana dashboard (deploy/monitoring/grafana-dashboard.json) reads
// metrics that a real scrape of the operator's /metrics has, after the operator handled a Ready user
// (with a rotation and a ttl), a refused one and a reset; and every query parses as PromQL (promtool
// checks them as recording rules, Grafana's variables replaced).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { readHarnessState } from '../harness/harness-state.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { dashboardQueries, metricNamesIn, metricNamesOfScrape, withoutGrafanaVariables } from './support/monitoring.js';
import { uniqueUsername } from './support/postgres.js';

const execFileAsync = promisify(execFile);
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('dashboard-metrics');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('the Grafana dashboard', () => {
  it('queries only metrics a real scrape of the operator has', async () => {
    const connection = { connection: { secretName: ctx.connectionSecret } };
    await ctx.kube.createUser('ready', { username: uniqueUsername('ready'), ...connection, passwordRotation: { every: '720h' }, ttl: '24h' });
    await ctx.kube.putPasswordSecret('refused-password', { password: 'short' });
    await ctx.kube.createUser('refused', { username: uniqueUsername('refused'), ...connection, passwordSecretRef: { name: 'refused-password' } });
    await ctx.kube.waitReady('ready');
    await ctx.kube.waitForUser(
      'refused',
      'refused',
      (user) => user.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'PasswordPolicyViolation') ?? false,
    );
    await ctx.kube.patchUser('ready', { metadata: { annotations: { 'dbuser.dev/reset-password': 'dashboard' } } });
    await ctx.kube.waitForUser('ready', 'the reset handled', (user) => user.status?.lastPasswordReset === 'dashboard');

    const operator = ctx.operator;
    if (!operator) throw new Error('no operator');
    const scraped = metricNamesOfScrape(await operator.metrics());
    const missing = dashboardQueries().flatMap(({ where, expression }) =>
      metricNamesIn(expression)
        .filter((name) => !scraped.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('has queries that all parse as PromQL (promtool check rules)', async () => {
    const promtool = readHarnessState().tools?.promtool;
    if (!promtool) throw new Error('promtool was not built by the global setup');
    const rules = dashboardQueries().map(({ expression }, index) => ({
      record: `dashboard:query_${String(index)}`,
      expr: withoutGrafanaVariables(expression),
    }));
    const dir = path.join(readHarnessState().dir, `dashboard-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'dashboard-queries.rules.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const { stdout } = await execFileAsync(promtool, ['check', 'rules', file]);
    expect(stdout).toContain(`SUCCESS: ${String(rules.length)} rules found`);
  });
});
