// ADR 15: a connection Secret that DatabaseUsers name carries the in-use finalizer, so its deletion
// (alone, or with its namespace) waits until the users' own finalizers have dropped their roles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectionInUseFinalizer } from '../../src/api/names.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('connection-in-use');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

interface SecretMetadata {
  deletionTimestamp?: string;
  finalizers?: string[];
}

async function secretMetadata(name: string): Promise<SecretMetadata | undefined> {
  const result = await ctx.kubectl('get', 'secret', name, '-o', 'json', '--ignore-not-found');
  return result.stdout.trim() === '' ? undefined : (JSON.parse(result.stdout) as { metadata: SecretMetadata }).metadata;
}

const inUse = (metadata: SecretMetadata | undefined) => metadata?.finalizers?.includes(connectionInUseFinalizer) === true;

async function waitSecret(name: string, what: string, holds: (metadata: SecretMetadata | undefined) => boolean): Promise<SecretMetadata | undefined> {
  let last: SecretMetadata | undefined;
  await waitFor(
    `Secret ${name} ${what}`,
    async () => {
      last = await secretMetadata(name);
      return holds(last) ? true : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  return last;
}

async function userOn(connectionSecret: string, name: string): Promise<string> {
  const username = uniqueUsername(name.replaceAll('-', '_'));
  await ctx.kube.createUser(name, { username, connection: { secretName: connectionSecret } });
  await ctx.kube.waitReady(name);
  return username;
}

describe('a connection Secret in use', () => {
  it('is deleted only after the last user naming it has dropped its role through it', async () => {
    await ctx.kube.putSecret('shared-admin', { uri: ctx.pg.adminUri(ctx.database) });
    const first = await userOn('shared-admin', 'shared-first');
    const second = await userOn('shared-admin', 'shared-second');
    expect(inUse(await secretMetadata('shared-admin'))).toBe(true);

    // Deleted while in use (as a namespace deletion deletes everything at once): it waits.
    expect((await ctx.kubectl('delete', 'secret', 'shared-admin', '--wait=false')).code).toBe(0);
    const terminating = await secretMetadata('shared-admin');
    expect(terminating?.deletionTimestamp).toEqual(expect.any(String));
    expect(inUse(terminating)).toBe(true);

    await ctx.kube.deleteUser('shared-first');
    await ctx.kube.waitGone('shared-first');
    expect(await ctx.pg.role(first)).toBeUndefined();
    // The second user still needs it.
    expect(inUse(await secretMetadata('shared-admin'))).toBe(true);

    await ctx.kube.deleteUser('shared-second');
    await ctx.kube.waitGone('shared-second');
    expect(await ctx.pg.role(second)).toBeUndefined();
    await waitSecret('shared-admin', 'to be gone', (metadata) => metadata === undefined);
  });

  it('loses the finalizer when no user names it any more, and is not deleted for it', async () => {
    await ctx.kube.putSecret('lone-admin', { uri: ctx.pg.adminUri(ctx.database) });
    await userOn('lone-admin', 'lone-user');
    expect(inUse(await secretMetadata('lone-admin'))).toBe(true);

    await ctx.kube.deleteUser('lone-user');
    await ctx.kube.waitGone('lone-user');
    const released = await waitSecret('lone-admin', 'to lose the in-use finalizer', (metadata) => metadata !== undefined && !inUse(metadata));
    expect(released?.deletionTimestamp).toBeUndefined();
  });

  it('gets the finalizer back after a replace drops it (kubectl replace sends no finalizers)', async () => {
    await ctx.kube.putSecret('replaced-admin', { uri: ctx.pg.adminUri(ctx.database) });
    await userOn('replaced-admin', 'replaced-user');
    expect(inUse(await secretMetadata('replaced-admin'))).toBe(true);

    await ctx.kube.putSecret('replaced-admin', { uri: ctx.pg.adminUri(ctx.database) });
    await waitSecret('replaced-admin', 'to carry the in-use finalizer again', inUse);
  });

  it('is released at start-up when its last user went while no operator ran', async () => {
    await ctx.kube.putSecret('orphaned-admin', { uri: ctx.pg.adminUri(ctx.database) });
    const username = await userOn('orphaned-admin', 'gone-while-down');
    await ctx.operator?.stop();
    // The user leaves without the operator (its finalizer removed by hand), its Secret still marked.
    await ctx.kubectl('patch', 'dbu', 'gone-while-down', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    await ctx.kube.deleteUser('gone-while-down');
    await ctx.kube.waitGone('gone-while-down');
    expect(inUse(await secretMetadata('orphaned-admin'))).toBe(true);

    await ctx.operator?.restart();
    await waitSecret('orphaned-admin', 'to lose the in-use finalizer', (metadata) => metadata !== undefined && !inUse(metadata));
    // Its role stayed behind (no finalizer ran): this test's own leftover, removed by hand.
    await ctx.pg.queryAs(ctx.pg.adminUri(ctx.database), `DROP OWNED BY "${username}"`, `DROP ROLE "${username}"`);
  });
});
