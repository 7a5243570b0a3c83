// Proves the test harness is a real kube-apiserver + etcd and a real PostgreSQL: each test exercises
// behaviour a mock would not have (persistence, CEL, admission policies, SCRAM authentication).
import { describe, expect, it, beforeAll } from '@jest/globals';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import pg from 'pg';
import { scramSha256Verifier } from '../../src/postgres/password-hash.js';
import { readHarnessState } from '../harness/harness-state.js';
import { adminKubeConfig, createTestNamespace, expectRefused } from '../harness/kube.js';
import { waitFor } from '../harness/wait.js';

let kubeConfig: KubeConfig;
let namespace: string;

beforeAll(async () => {
  kubeConfig = adminKubeConfig();
  namespace = await createTestNamespace('harness', kubeConfig);
});

describe('the API server', () => {
  it('stores a Secret and returns it', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'probe' }, stringData: { answer: '42' } } });
    const secret = await core.readNamespacedSecret({ namespace, name: 'probe' });
    expect(Buffer.from(secret.data?.answer ?? '', 'base64').toString()).toBe('42');
    expect(secret.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toEqual(expect.arrayContaining(['default', namespace]));
  });

  it('enforces a CRD x-kubernetes-validations rule', async () => {
    const group = 'harness.dbuser.dev';
    await kubeConfig.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
      body: {
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: { size: { type: 'integer' } },
                      x_kubernetes_validations: [{ rule: 'self.size <= 10', message: 'size must be at most 10' }],
                    },
                  },
                },
              },
            },
          ],
        },
      },
    });
    const custom = kubeConfig.makeApiClient(CustomObjectsApi);
    const create = (size: number) =>
      custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural: 'widgets',
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: `w${size}` }, spec: { size } },
      });
    // The CRD is served a moment after it is created.
    await waitFor('the Widget CRD to be served', async () => ((await create(3)) ? true : undefined), { timeoutMs: 20_000, intervalMs: 200 });
    const refusal = await expectRefused(() => create(11));
    expect(refusal.code).toBe(422);
    expect(refusal.message).toContain('size must be at most 10');
  });

  it('enforces a ValidatingAdmissionPolicy that denies DELETE', async () => {
    const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const name = `deny-delete-${namespace}`;
    await admission.createValidatingAdmissionPolicy({
      body: {
        metadata: { name },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['configmaps'] }] },
          validations: [
            { expression: "!has(oldObject.metadata.labels) || !('keep' in oldObject.metadata.labels)", message: 'this ConfigMap is kept', reason: 'Forbidden' },
          ],
        },
      },
    });
    await admission.createValidatingAdmissionPolicyBinding({
      body: {
        metadata: { name },
        spec: {
          policyName: name,
          validationActions: ['Deny'],
          matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
        },
      },
    });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'kept', labels: { keep: 'yes' } } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'free' } } });
    // A new policy takes a moment to be loaded: retry until the DELETE is refused.
    const refusal = await waitFor(
      'the policy to deny DELETE',
      async () => {
        try {
          await core.readNamespacedConfigMap({ namespace, name: 'kept' });
          return await expectRefused(() => core.deleteNamespacedConfigMap({ namespace, name: 'kept', dryRun: 'All' }));
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(refusal.code).toBe(403);
    expect(refusal.message).toContain('this ConfigMap is kept');
    await core.deleteNamespacedConfigMap({ namespace, name: 'free' });
    await expect(core.readNamespacedConfigMap({ namespace, name: 'kept' })).resolves.toBeDefined();
  });
});

describe('PostgreSQL', () => {
  it('accepts a client-side SCRAM verifier and authenticates the password against it', async () => {
    const { postgres } = readHarnessState();
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    const role = `harness_${namespace.replaceAll('-', '_')}`;
    const password = 'correct horse battery staple 42';
    try {
      const verifier = await scramSha256Verifier(password);
      await admin.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(verifier)}`);
      const stored = await admin.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
      expect(stored.rows[0]?.rolpassword).toBe(verifier);

      const login = async (secret: string) => {
        const client = new pg.Client({ host: postgres.host, port: postgres.port, database: 'postgres', user: role, password: secret });
        await client.connect();
        try {
          return (await client.query<{ user: string }>('SELECT current_user AS user')).rows[0]?.user;
        } finally {
          await client.end();
        }
      };
      await expect(login(password)).resolves.toBe(role);
      await expect(login(`${password}!`)).rejects.toThrow(/password authentication failed/);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
      await admin.end();
    }
  });
});
