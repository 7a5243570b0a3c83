// `kubectl dbuser create` run by a tenant with the rights of deploy's dbuser-operator-edit but none on
// Secrets (a ServiceAccount's own token, not the admin's): the user is created, and since the
// generated password cannot be read, the command says where it is instead of failing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readHarnessState } from '../harness/harness-state.js';
import { kubeconfigWithToken } from '../harness/install.js';
import { cliEnv, cliScript, runWithoutTerminal } from './support/cli.js';
import { createTestContext, destroyTestContext, type TestContext } from './support/fixture.js';
import { tenantAccount, tenantRules } from './support/platform.js';
import { uniqueUsername } from './support/postgres.js';

let ctx: TestContext;
let tenantKubeconfig: string;

beforeAll(async () => {
  ctx = await createTestContext('cli-tenant', { operatorEnv: { DEFAULT_CONNECTION_SECRET: 'pg-admin' } });
  await tenantAccount(ctx.namespace, 'tenant', tenantRules);
  const token = (await ctx.kubectl('create', 'token', 'tenant', '--duration=1h')).stdout.trim();
  expect(token).not.toBe('');
  tenantKubeconfig = path.join(mkdtempSync(path.join(tmpdir(), 'tenant-')), 'kubeconfig');
  writeFileSync(tenantKubeconfig, kubeconfigWithToken(readHarnessState().cluster.kubeconfigPath, 'tenant', token), { mode: 0o600 });
});

afterAll(async () => {
  await destroyTestContext(ctx);
});

describe('a tenant without Secret rights', () => {
  it('creates a user with a generated password: told where the password is, exit 0', async () => {
    const username = uniqueUsername('tenant_gen');
    const env = cliEnv({ KUBECONFIG: tenantKubeconfig });
    const denied = await runWithoutTerminal(process.execPath, [cliScript, 'list', '-n', ctx.namespace], { env });
    expect(denied.code).toBe(0);
    const result = await runWithoutTerminal(process.execPath, [cliScript, 'create', username, '--generate-password', '-n', ctx.namespace], { env });
    const secretName = `${username.replaceAll('_', '-')}-credentials`;
    expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
      code: 0,
      stdout: `User "${username}" created; its password is in Secret "${secretName}", which you may not read.\n`,
      stderr: expect.any(String),
    });
    // The Secret is there, and its password logs in (read as the admin).
    const uri = (await ctx.kube.secretData(secretName))?.uri ?? '';
    expect(await ctx.pg.canLogin(uri)).toBe(true);
  });
});
