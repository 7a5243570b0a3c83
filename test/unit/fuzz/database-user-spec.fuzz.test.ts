// Property-based fuzzing of the DatabaseUser spec as the operator meets it (admission can be
// bypassed, so the operator validates again: README, "The API"), through the reconcile shell on its
// recording fakes. Any spec, however malformed: never an exception, never a write before the spec
// is valid, and the documented decision: Ready=False InvalidSpec naming the field for every
// documented refusal, never InvalidSpec for a valid spec. The agreement of zod with the real API
// server (CRD schema and CEL) on the same generated specs is the integration tier's
// (test/integration/fuzz-admission.test.ts).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { ConnectionResolver } from '../../../src/reconcile/connection-resolver.js';
import { DatabaseUserReconciler } from '../../../src/reconcile/reconciler.js';
import { createLogger } from '../../../src/runtime/logger.js';
import type { ReconcileResult } from '../../../src/runtime/controller.js';
import { RecordingKubernetes, RecordingPostgres, referencedSecret, type Journal } from '../reconcile/recording-ports.js';
import { fuzzParameters } from './fuzz-settings.js';
import { fuzzedSpecArbitrary, validSpecArbitrary } from './spec-arbitraries.js';

const namespace = 'shop';
const logger = createLogger('silent');
const now = new Date('2026-12-03T10:00:00Z');

/** One reconcile of a DatabaseUser named `fuzzed` with `spec`, on fresh fakes with a default connection. */
async function reconcileSpec(
  spec: unknown,
): Promise<{ journal: Journal; result: ReconcileResult; ready: { status: string; reason: string; message: string } | undefined }> {
  const journal: Journal = [];
  const kubernetes = new RecordingKubernetes(journal);
  kubernetes.referencedSecrets.set(
    'operator/default-connection',
    referencedSecret('1', { host: 'db.example', port: '5432', username: 'postgres', password: 'admin-secret', dbname: 'shop' }),
  );
  const reconciler = new DatabaseUserReconciler({
    kubernetes,
    postgres: new RecordingPostgres(journal),
    connections: new ConnectionResolver((secretNamespace, name) => kubernetes.secretContents(secretNamespace, name), {
      namespace: 'operator',
      name: 'default-connection',
    }),
    clusterId: 'cluster-1',
    operatorNamespace: 'operator',
    operatorIdentity: 'system:serviceaccount:dbuser-system:dbuser-operator',
    minRotationMs: 3_600_000,
    now: () => now,
    generatePassword: () => 'generated-password'.padEnd(64, 'x'),
  });
  // The spec as the API server would hand over any JSON a bypassed admission let through.
  const user = { metadata: { name: 'fuzzed', namespace, uid: 'uid-fuzzed', generation: 1, creationTimestamp: now.toISOString() }, spec } as DatabaseUser;
  const key = kubernetes.addUser(user);
  const result = await reconciler.reconcile(key, logger);
  const ready = kubernetes.user(key)?.status?.conditions?.find((condition) => condition.type === 'Ready');
  return { journal, result, ready: ready && { status: ready.status, reason: ready.reason, message: ready.message } };
}

/** What a refusal may have done: report it (status, Event), nothing else. */
const writesBesidesReport = (journal: Journal) => journal.filter((entry) => !entry.startsWith('event:') && !entry.startsWith('kubernetes: status'));

/**
 * Values the README and `kubectl explain` document as refused, per field; inserted into a valid spec,
 * each must be refused with the field named. (Lifecycle contradictions are below.)
 */
const documentedRefusals: Record<string, readonly unknown[]> = {
  username: ['postgres', 'Postgres', 'pg_monitor_x', 'PUBLIC', 'current_role', '1abcdef', '_abcdef', 'abc', 'a'.repeat(33), 'abc-def', 'abcdéf', 42, null],
  readOnly: ['true', 1],
  protected: ['yes'],
  connection: [{}, { secretName: 'Upper' }, { secretName: '' }],
  database: ['template0', 'template1', 'postgres', '', 'shop\u0000x', 'shop\nx', 'a'.repeat(64), 'é'.repeat(32), '日本'.repeat(11)],
  passwordSecretRef: [{}, { name: 'a_b' }, { name: 'pw', key: 'bad key' }, { name: 'pw', key: '' }],
  passwordEncryption: ['SCRAM-SHA-256', 'MD5', 'md4', ''],
  secretName: ['Upper', 'a_b', '-a', 'a.', '', 'x'.repeat(254)],
  validUntil: [
    '0000-01-01T00:00:00Z',
    '2027-01-01T00:00:00+16:00',
    '2027-01-01T00:00:00-99:00',
    '2027-01-01 00:00:00Z',
    '2027-01-01T00:00:00',
    '2027-01-01',
    '2027-02-30T00:00:00Z',
    '2027-01-01T24:00:00Z',
    'tomorrow',
  ],
  connectionLimit: [-2, 2147483648, 1.5, '5'],
  passwordRotation: [{}, { every: '0s' }, { every: '1d' }, { every: '876001h' }],
  ttl: ['0s', '0h', '1.5', '.5h', '1d', 'h', '-1h', '1H', '10us', ' 1h', '', '876000h1ms'],
  deletionPolicy: ['delete', 'Orphan', ''],
};

const documentedRefusal = fc
  .constantFrom(...Object.entries(documentedRefusals))
  .chain(([field, values]) => fc.constantFrom(...values).map((value) => ({ field, value })));

describe('the DatabaseUser spec through the operator, fuzzed', () => {
  it('any spec, however malformed: no exception, and a refused one gets Ready=False InvalidSpec before any write', async () => {
    const anySpec = fc.oneof(fuzzedSpecArbitrary, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })), fc.jsonValue({ maxDepth: 1 }));
    const seen = { refused: 0, admitted: 0 };
    await fc.assert(
      fc.asyncProperty(anySpec, async (spec) => {
        const { journal, result, ready } = await reconcileSpec(spec);
        expect(ready).toBeDefined();
        seen[ready?.reason === 'InvalidSpec' ? 'refused' : 'admitted'] += 1;
        if (ready?.reason !== 'InvalidSpec') return;
        expect(ready.status).toBe('False');
        expect(ready.message).not.toBe('');
        // Not retried: it waits for a change of the spec (or, with a ttl, for its expiry).
        expect(['done', 'requeue']).toContain(result.kind);
        expect(writesBesidesReport(journal)).toEqual([]);
      }),
      fuzzParameters(),
    );
    // Both sides of the decision were met (with the fixed seed: 783 refused, 217 admitted of 1,000).
    expect(Math.min(seen.refused, seen.admitted)).toBeGreaterThan((seen.refused + seen.admitted) / 10);
  });

  it('a valid spec is never InvalidSpec', async () => {
    await fc.assert(
      fc.asyncProperty(validSpecArbitrary, async (spec) => {
        const { ready } = await reconcileSpec(spec);
        expect(ready?.reason).not.toBe('InvalidSpec');
      }),
      fuzzParameters(),
    );
  });

  it('a valid spec with one documented refusal is InvalidSpec, naming the field, with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(validSpecArbitrary, documentedRefusal, async (valid, { field, value }) => {
        const { journal, ready } = await reconcileSpec({ ...valid, [field]: value });
        expect({ field, value, reason: ready?.reason }).toEqual({ field, value, reason: 'InvalidSpec' });
        expect(ready?.message).toContain(field);
        expect(writesBesidesReport(journal)).toEqual([]);
      }),
      fuzzParameters(),
    );
  });

  it('a valid spec with a lifecycle contradiction (ttl or rotation on a protected user, ttl with Retain) is InvalidSpec, with nothing written', async () => {
    const contradiction = fc.constantFrom(
      { protected: true, ttl: '24h', deletionPolicy: 'Delete' },
      { protected: true, passwordRotation: { every: '720h' } },
      { protected: false, ttl: '24h', deletionPolicy: 'Retain' },
    );
    await fc.assert(
      fc.asyncProperty(validSpecArbitrary, contradiction, async (valid, fields) => {
        const { journal, ready } = await reconcileSpec({ ...valid, ...fields });
        expect(ready?.reason).toBe('InvalidSpec');
        expect(ready?.message).toMatch(/ttl|passwordRotation/);
        expect(writesBesidesReport(journal)).toEqual([]);
      }),
      fuzzParameters(),
    );
  });
});
