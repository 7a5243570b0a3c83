// WORKERS=auto (ADR 29) in a running operator: the controller's workers share the limit's places,
// every user is reconciled, and the limit it reports stays within its bounds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { metricValue } from './support/operator-process.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
const count = 40;

beforeAll(async () => {
  ctx = await createTestContext('workers-auto', { operatorEnv: { WORKERS: 'auto', WORKERS_MAX: '6' } });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('WORKERS=auto', () => {
  it('reconciles every user, with the limit between its minimum and WORKERS_MAX', async () => {
    const names = Array.from({ length: count }, (_, i) => `u${String(i)}`);
    const usernames = new Map(names.map((name) => [name, uniqueUsername(`wa_${name}`)]));
    await Promise.all(names.map((name) => ctx.kube.createUser(name, { username: usernames.get(name), connection: { secretName: ctx.connectionSecret } })));
    for (const name of names) {
      const user = await ctx.kube.waitReady(name);
      const uri = (await ctx.kube.secretData(`${name}-credentials`))?.uri ?? '';
      expect({ name, username: user.status?.username, login: await ctx.pg.canLogin(uri) }).toEqual({ name, username: usernames.get(name), login: true });
    }
    const limit = metricValue((await ctx.operator?.metrics()) ?? '', 'dbuser_operator_workers_limit');
    expect(limit).toBeGreaterThanOrEqual(2);
    expect(limit).toBeLessThanOrEqual(6);
  });
});
