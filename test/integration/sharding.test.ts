// Issue 24, "past one replica" (ADR 25): sharding by label, Flux's convention. Two shards
// (`sharding.fluxcd.io/key in (shard1)`, `… in (shard2)`) plus the instance taking the objects without
// the label (`!sharding.fluxcd.io/key`), each with its own Lease, shard1 with two replicas: every user
// is reconciled by exactly one of them (their metrics add up to the number of users, none counted
// twice); a Database's default user follows it into its shard; a user whose Database is in another
// shard is refused (ShardMismatch); only the unsharded instance writes the DatabaseServer's status;
// and SIGKILL of shard1's leader leaves the others untouched while shard1's standby takes over.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { shardKeyLabel } from '../../src/api/names.js';
import { waitFor } from '../harness/wait.js';
import { operatorServiceAccount } from '../harness/install.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { readyCondition } from './support/kube.js';
import { metricValue, OperatorProcess } from './support/operator-process.js';
import { databaseManifest, getServer, kubectlAs, operatorNamespace, registerServer, waitForDatabase } from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';

type Instance = 'main' | 'shard1-a' | 'shard1-b' | 'shard2';
const selectors: Record<Instance, string> = {
  main: `!${shardKeyLabel}`,
  'shard1-a': `${shardKeyLabel} in (shard1)`,
  'shard1-b': `${shardKeyLabel} in (shard1)`,
  shard2: `${shardKeyLabel} in (shard2)`,
};
const leaseOf = (instance: Instance) => `${ctx.namespace}-${instance.replace(/-[ab]$/, '')}`;

let ctx: TestContext;
let server = '';
const operators = new Map<Instance, OperatorProcess>();
/** Every DatabaseUser the test made, by the shard that must reconcile it. */
const expected: Record<'main' | 'shard1' | 'shard2', string[]> = { main: [], shard1: [], shard2: [] };

beforeAll(async () => {
  ctx = await createTestContext('sharding', { startOperator: false });
  ({ name: server } = await registerServer(ctx.pg, {
    owner: ctx.namespace,
    prefix: 'sharded',
    spec: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ctx.namespace } } },
  }));
  // What the chart grants for its shards: get/update of each shard's Lease (create needs no name).
  const leases = ['main', 'shard1', 'shard2'].map((shard) => `${ctx.namespace}-${shard}`);
  const rbac = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: `${ctx.namespace}-leases`, namespace: operatorNamespace },
        rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: leases, verbs: ['get', 'update'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${ctx.namespace}-leases`, namespace: operatorNamespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${ctx.namespace}-leases` },
        subjects: [{ kind: 'ServiceAccount', ...operatorServiceAccount }],
      },
    ],
  };
  const granted = await kubectlAs(undefined, JSON.stringify(rbac), 'apply', '-f', '-');
  if (granted.code !== 0) throw new Error(granted.stderr);
  const started = await Promise.all(
    (Object.keys(selectors) as Instance[]).map(async (instance) => {
      const env = {
        OPERATOR_NAMESPACE: operatorNamespace,
        LEADER_ELECT: 'true',
        POD_NAME: instance,
        WATCH_LABEL_SELECTOR: selectors[instance],
        LEASE_NAME: leaseOf(instance),
        PER_USER_METRICS: 'true',
      };
      return [instance, await OperatorProcess.start({ namespace: ctx.namespace, env, instance })] as const;
    }),
  );
  for (const [instance, operator] of started) operators.set(instance, operator);
}, 120_000);

afterAll(async () => {
  // Every user and Database deleted while every shard runs (each shard releases its own finalizers).
  await destroyTestContext({ ...ctx, operator: operators.get('main') });
  await Promise.all([...operators.values()].map((operator) => operator.stop()));
  await kubectlAs(undefined, undefined, 'delete', 'databaseserver', server, '--wait=false');
  await kubectlAs(undefined, undefined, '-n', operatorNamespace, 'delete', 'role,rolebinding', `${ctx.namespace}-leases`, '--ignore-not-found');
  await kubectlAs(
    undefined,
    undefined,
    '-n',
    operatorNamespace,
    'delete',
    'lease',
    ...['main', 'shard1', 'shard2'].map((s) => `${ctx.namespace}-${s}`),
    '--ignore-not-found',
  );
}, 180_000);

async function metrics(instance: Instance): Promise<string> {
  const operator = operators.get(instance);
  return operator?.running ? operator.metrics() : '';
}

async function leading(instance: Instance): Promise<boolean> {
  return metricValue(await metrics(instance), 'dbuser_operator_leader') === 1;
}

async function leaseHolder(shard: 'main' | 'shard1' | 'shard2'): Promise<string> {
  const result = await kubectlAs(
    undefined,
    undefined,
    '-n',
    operatorNamespace,
    'get',
    'lease',
    `${ctx.namespace}-${shard}`,
    '-o',
    'jsonpath={.spec.holderIdentity}',
  );
  return result.stdout;
}

/** The users an instance exposes a per-user series for (PER_USER_METRICS): the ones in its watch cache with a password. */
function usersInMetrics(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('dbuser_operator_user_password_age_seconds{')) continue;
    const match = /name="([^"]+)"/.exec(line);
    if (match?.[1] !== undefined && line.includes(`namespace="${ctx.namespace}"`)) names.push(match[1]);
  }
  return names.sort();
}

async function createUser(name: string, shard: 'main' | 'shard1' | 'shard2', spec: Record<string, unknown>): Promise<void> {
  const labels = shard === 'main' ? {} : { [shardKeyLabel]: shard };
  await ctx.kube.custom.createNamespacedCustomObject({
    group: 'dbuser.dev',
    version: 'v1alpha1',
    namespace: ctx.namespace,
    plural: 'databaseusers',
    body: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', metadata: { name, labels }, spec },
  });
  expected[shard].push(name);
}

async function createConnectionUsers(prefix: string, count: number, shard: 'main' | 'shard1' | 'shard2'): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${shard}-${i}`);
  await Promise.all(names.map((name) => createUser(name, shard, { username: uniqueUsername('shard'), connection: { secretName: ctx.connectionSecret } })));
  return names;
}

/** The leader among shard1's two replicas. */
async function shard1Leader(): Promise<'shard1-a' | 'shard1-b'> {
  return waitFor(
    "one of shard1's replicas to lead",
    async () => {
      const [a, b] = [await leading('shard1-a'), await leading('shard1-b')];
      if (a === b) return undefined;
      return a ? ('shard1-a' as const) : ('shard1-b' as const);
    },
    { timeoutMs: 40_000, intervalMs: 200 },
  );
}

describe('two shards and the unsharded instance', () => {
  it('reconcile every user in exactly one of them, each shard under its own Lease', async () => {
    const leader = await shard1Leader();
    const standby = leader === 'shard1-a' ? 'shard1-b' : 'shard1-a';
    await waitFor('main and shard2 to lead', async () => ((await leading('main')) && (await leading('shard2')) ? true : undefined), {
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    expect([await leaseHolder('main'), await leaseHolder('shard1'), await leaseHolder('shard2')]).toEqual(['main', leader, 'shard2']);

    // A Database in shard1: its default user follows it there; a user of it in shard1 works, one in shard2 is refused.
    const applied = await kubectlAs(
      undefined,
      JSON.stringify({ ...databaseManifest('app', { serverRef: { name: server } }), metadata: { name: 'app', labels: { [shardKeyLabel]: 'shard1' } } }),
      '-n',
      ctx.namespace,
      'apply',
      '-f',
      '-',
    );
    expect(applied.stderr).toBe('');
    expected.shard1.push('app');
    const database = await waitForDatabase(ctx.namespace, 'app', undefined, 60_000);
    const databaseName = database.status?.databaseName ?? '';
    expect((await ctx.kube.getUser('app'))?.metadata.labels?.[shardKeyLabel]).toBe('shard1');
    await createUser('app-rw', 'shard1', { username: `${databaseName}_rw`, databaseRef: { name: 'app' } });
    await createUser('app-stray', 'shard2', { username: `${databaseName}_stray`, databaseRef: { name: 'app' } });

    const perShard = 8;
    await createConnectionUsers('u', perShard, 'main');
    await createConnectionUsers('u', perShard, 'shard1');
    await createConnectionUsers('u', perShard, 'shard2');
    const readyUsers = [...expected.main, ...expected.shard1, ...expected.shard2].filter((name) => name !== 'app-stray');
    for (const name of readyUsers) await ctx.kube.waitReady(name, 60_000);
    const stray = await ctx.kube.waitReason('app-stray', 'ShardMismatch', 30_000);
    expect(readyCondition(stray)?.message).toContain(`${shardKeyLabel}=shard1`);
    expect(await ctx.pg.role(`${databaseName}_stray`)).toBeUndefined();

    const text = { main: await metrics('main'), shard1: await metrics(leader), standby: await metrics(standby), shard2: await metrics('shard2') };
    // Each instance watches exactly its shard's users (the standby keeps its cache warm and reconciles none).
    const managed = (metricsText: string) => metricValue(metricsText, 'dbuser_operator_managed_users');
    expect({ main: managed(text.main), shard1: managed(text.shard1), standby: managed(text.standby), shard2: managed(text.shard2) }).toEqual({
      main: expected.main.length,
      shard1: expected.shard1.length,
      standby: expected.shard1.length,
      shard2: expected.shard2.length,
    });
    const all = (await ctx.kubectl('get', 'dbu', '-o', 'jsonpath={.items[*].metadata.name}')).stdout.split(' ').filter(Boolean);
    expect(managed(text.main) + managed(text.shard1) + managed(text.shard2)).toBe(all.length);
    // Per user: the sets of users the three instances hold are disjoint and together every Ready user.
    const held = { main: usersInMetrics(text.main), shard1: usersInMetrics(text.shard1), shard2: usersInMetrics(text.shard2) };
    expect(held).toEqual({
      main: [...expected.main].sort(),
      shard1: [...expected.shard1].sort(),
      shard2: expected.shard2.filter((name) => name !== 'app-stray').sort(),
    });
    // Each role was created by its own shard, none by another: the roles created add up to the Ready users.
    const created = (metricsText: string) => metricValue(metricsText, 'dbuser_operator_postgres_actions_total', { action: 'createRole' });
    expect({ main: created(text.main), shard1: created(text.shard1), standby: created(text.standby), shard2: created(text.shard2) }).toEqual({
      main: expected.main.length,
      shard1: expected.shard1.length,
      standby: 0,
      shard2: expected.shard2.length - 1,
    });
    const reconciles = (metricsText: string) => metricValue(metricsText, 'dbuser_operator_reconcile_total');
    expect(reconciles(text.standby)).toBe(0);
    process.stderr.write(
      `[sharding] ${String(all.length)} users; managed main/shard1/shard2 ${String(managed(text.main))}/${String(managed(text.shard1))}/${String(managed(text.shard2))}; ` +
        `reconciles main/shard1/standby/shard2 ${String(reconciles(text.main))}/${String(reconciles(text.shard1))}/${String(reconciles(text.standby))}/${String(reconciles(text.shard2))}\n`,
    );

    // The server's status and in-use finalizer have one writer: the unsharded instance.
    const status = (metricsText: string) =>
      metricValue(metricsText, 'dbuser_operator_kubernetes_requests', { verb: 'patch', resource: 'databaseservers/status' });
    await waitFor(
      'the server to count its Database and its users',
      async () => {
        const current = await getServer(server);
        return current?.status?.databases === 1 && current.status.users === 2 ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(status(await metrics('main'))).toBeGreaterThan(0);
    expect([status(await metrics(leader)), status(await metrics(standby)), status(await metrics('shard2'))]).toEqual([0, 0, 0]);

    for (const name of readyUsers) {
      const data = await ctx.kube.secretData(`${name}-credentials`);
      expect({ name, login: await ctx.pg.canLogin(data?.uri ?? '') }).toEqual({ name, login: true });
    }
  }, 240_000);

  it("fails over a shard's leader without touching the other shards", async () => {
    const leader = await shard1Leader();
    const standby = leader === 'shard1-a' ? 'shard1-b' : 'shard1-a';
    const before = { main: await leaseHolder('main'), shard2: await leaseHolder('shard2') };
    const reconcilesOf = async (instance: Instance) => metricValue(await metrics(instance), 'dbuser_operator_reconcile_total');
    const others = { main: await reconcilesOf('main'), shard2: await reconcilesOf('shard2') };

    const killedAt = Date.now();
    await operators.get(leader)?.kill();
    // Work for every shard while shard1 has no leader.
    const [main, shard1, shard2] = await Promise.all([
      createConnectionUsers('after', 3, 'main'),
      createConnectionUsers('after', 3, 'shard1'),
      createConnectionUsers('after', 3, 'shard2'),
    ]);
    const readyAt = async (names: string[]) => {
      for (const name of names) await ctx.kube.waitReady(name, 60_000);
      return Date.now() - killedAt;
    };
    const [mainReadyMs, shard2ReadyMs] = await Promise.all([readyAt(main), readyAt(shard2)]);
    const takeoverMs = await waitFor('the standby to lead shard1', async () => ((await leading(standby)) ? Date.now() - killedAt : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const shard1ReadyMs = await readyAt(shard1);
    process.stderr.write(
      `[sharding] shard1 leader ${leader} SIGKILLed: main's new users Ready after ${String(mainReadyMs)} ms, shard2's after ${String(shard2ReadyMs)} ms; ` +
        `${standby} leading after ${String(takeoverMs)} ms; shard1's new users Ready after ${String(shard1ReadyMs)} ms\n`,
    );

    expect(await leaseHolder('shard1')).toBe(standby);
    // The others were never interrupted: same leaders, still running, and they went on reconciling.
    expect({ main: await leaseHolder('main'), shard2: await leaseHolder('shard2') }).toEqual(before);
    expect([operators.get('main')?.running, operators.get('shard2')?.running, await leading('main'), await leading('shard2')]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(await reconcilesOf('main')).toBeGreaterThan(others.main);
    expect(await reconcilesOf('shard2')).toBeGreaterThan(others.shard2);
    // The new leader holds exactly shard1's users, and nobody else holds them.
    expect(usersInMetrics(await metrics(standby))).toEqual([...expected.shard1].sort());
    expect(usersInMetrics(await metrics('main')).filter((name) => expected.shard1.includes(name))).toEqual([]);
    expect(usersInMetrics(await metrics('shard2')).filter((name) => expected.shard1.includes(name))).toEqual([]);
    for (const name of shard1) {
      const data = await ctx.kube.secretData(`${name}-credentials`);
      expect({ name, login: await ctx.pg.canLogin(data?.uri ?? '') }).toEqual({ name, login: true });
    }
  }, 180_000);
});
