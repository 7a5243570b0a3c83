// Issue 22: on whichever Kubernetes the harness runs (KUBE_VERSION, 1.33 to 1.37), the install the
// README gives for it is what is installed, and a user goes through its life: Ready (its password logs
// in), reset (a new password; who asked recorded where the requester stamp exists, absent before 1.36),
// deleted (role and Secret gone). CI runs this with the focused set on the oldest and newest version.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { selectedKubernetesMinor } from '../harness/kubernetes-version.js';
import { readHarnessState } from '../harness/harness-state.js';
import { waitFor } from '../harness/wait.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('versions');
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe(`Kubernetes ${process.env.DBUSER_TEST_KUBECONFIG ? '(the given cluster)' : selectedKubernetesMinor()}`, () => {
  it('is the minor asked for, and has the requester stamp exactly from 1.36 on', async () => {
    const version = JSON.parse((await ctx.kubectl('version', '-o', 'json')).stdout) as { serverVersion: { major: string; minor: string } };
    const minor = Number(version.serverVersion.minor.replace(/\D+$/, ''));
    if (!process.env.DBUSER_TEST_KUBECONFIG) expect(`${version.serverVersion.major}.${String(minor)}`).toBe(selectedKubernetesMinor());
    expect(readHarnessState().operator.capabilities.requesterStamp).toBe(minor >= 36);
    const policies = await ctx.kubectl('get', 'validatingadmissionpolicies', '-o', 'name');
    // Other test files add policies of their own meanwhile.
    expect(policies.stdout.split('\n')).toEqual(
      expect.arrayContaining([
        'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-protection',
        'validatingadmissionpolicy.admissionregistration.k8s.io/dbuser-requester',
      ]),
    );
  });

  it('takes a user through Ready, a reset and deletion', async () => {
    const username = uniqueUsername('life');
    await ctx.kube.createUser('life', { username, connection: { secretName: ctx.connectionSecret } });
    await ctx.kube.waitReady('life');
    const first = await ctx.kube.secretData('life-credentials');
    expect(await ctx.pg.canLogin(first?.uri ?? '')).toBe(true);

    const reset = await ctx.kubectl('annotate', 'dbu', 'life', 'dbuser.dev/reset-password=versions', '--overwrite');
    expect(reset.stderr).toBe('');
    const user = await ctx.kube.waitForUser('life', 'the reset handled', (u) => u.status?.lastPasswordReset === 'versions');
    const second = await ctx.kube.secretData('life-credentials');
    expect(second?.password).not.toBe(first?.password);
    await waitFor('the new password to log in', async () => ((await ctx.pg.canLogin(second?.uri ?? '')) ? true : undefined), { timeoutMs: 10_000 });
    expect(await ctx.pg.canLogin(first?.uri ?? '')).toBe(false);
    if (readHarnessState().operator.capabilities.requesterStamp) expect(user.status?.lastPasswordChange).toMatchObject({ reason: 'reset', by: 'admin' });
    else expect(user.status?.lastPasswordChange).toEqual({ reason: 'reset', at: expect.any(String) });

    await ctx.kube.deleteUser('life');
    await waitFor('the DatabaseUser to be gone', async () => ((await ctx.kube.getUser('life')) === undefined ? true : undefined), { timeoutMs: 20_000 });
    expect(await ctx.pg.role(username)).toBeUndefined();
    expect(await ctx.kube.secretData('life-credentials')).toBeUndefined();
  });
});
