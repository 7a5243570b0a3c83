// DESIGN §9 faults: the API server restarts under a running operator. Its watches break; the informers
// must resume (or relist) by themselves, and changes made after the restart must still be handled.
// Uses a control plane and PostgreSQL of its own, so the restart disturbs no other test.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { ControlPlane } from '../harness/control-plane.js';
import { readHarnessState } from '../harness/harness-state.js';
import { installDeployment, waitForCreateFinalizer, waitForRequesterStamp, type OperatorIdentity } from '../harness/install.js';
import { PostgresServer } from '../harness/postgres-server.js';
import { waitFor } from '../harness/wait.js';
import { KubeTestClient } from './support/kube.js';
import { OperatorProcess } from './support/operator-process.js';
import { PgTestClient, uniqueUsername } from './support/postgres.js';

let controlPlane: ControlPlane;
let postgres: PostgresServer;
let pg: PgTestClient;
let kube: KubeTestClient;
let operator: OperatorProcess;
let identity: OperatorIdentity;
const namespace = 'restart-test';

beforeAll(async () => {
  const dir = path.join(readHarnessState().dir, `private-control-plane-${process.pid}`);
  [controlPlane, postgres] = await Promise.all([
    ControlPlane.start({ dir: path.join(dir, 'kubernetes') }),
    PostgresServer.start({ dir: path.join(dir, 'postgres'), major: readHarnessState().postgres.major }),
  ]);
  identity = await installDeployment(controlPlane.access, dir);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
  kube = new KubeTestClient(kubeConfig, namespace);
  await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
  pg = new PgTestClient(postgres.endpoint);
  await kube.putSecret('pg-admin', { uri: pg.adminUri('postgres') });
  operator = await OperatorProcess.start({ namespace, kubeconfig: identity.kubeconfigPath, instance: 'restart' });
});

afterAll(async () => {
  await operator.stop();
  await pg.close();
  await Promise.all([controlPlane.stop(), postgres.stop()]);
});

describe('an API server restart', () => {
  it('is survived: watches resume, and later changes are reconciled', async () => {
    const connection = { connection: { secretName: 'pg-admin' } };
    await kube.createUser('before', { username: uniqueUsername('before'), ...connection });
    await kube.waitReady('before');
    const old = await kube.secretData('before-credentials');

    await controlPlane.restartApiServer();
    expect(operator.exitReason()).toBeUndefined();

    // A new user, a reset and a chosen-password edit, all after the restart, all arrive by watch. With
    // the opt-in finalizer at create, the API server refuses creates (503) until the policy has loaded
    // the CRD's schema (ADR 23): the create waits for that, as a retrying client would.
    if (identity.capabilities.createFinalizer) await waitForCreateFinalizer(controlPlane.access);
    await kube.createUser('after', { username: uniqueUsername('after'), ...connection });
    await kube.waitReady('after', 60_000);
    if (identity.capabilities.requesterStamp) await waitForRequesterStamp(controlPlane.access);
    await kube.patchUser('before', { metadata: { annotations: { 'dbuser.dev/reset-password': 'after-restart' } } });
    await kube.waitForUser('before', 'reset handled', (user) => user.status?.lastPasswordReset === 'after-restart', 60_000);
    const fresh = await kube.secretData('before-credentials');
    expect(fresh?.password).not.toBe(old?.password);
    await waitFor('the new password to log in', async () => ((await pg.canLogin(fresh?.uri ?? '')) ? true : undefined), { timeoutMs: 10_000 });
    expect(await pg.canLogin((await kube.secretData('after-credentials'))?.uri ?? '')).toBe(true);
  });
});
