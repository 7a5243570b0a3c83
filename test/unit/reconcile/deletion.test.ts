import { describe, expect, it } from '@jest/globals';
import { databaseUserSpecSchema } from '../../../src/api/database-user.js';
import type { CredentialsSecretLookup } from '../../../src/model/credentials.js';
import { decideDeletion, type DeletionDecision } from '../../../src/reconcile/deletion.js';
import { storedCredentialsSecret } from './recording-ports.js';

// decideDeletion() as a table: what deleting a DatabaseUser does, from its spec and its credentials Secret.

const user = { name: 'my-app', uid: 'uid-1', namespace: 'shop' };
const password = 'p'.repeat(64);

function secret(options: { sealed?: boolean; ownerUid?: string | null; databaseUser?: string } = {}): CredentialsSecretLookup {
  const write = {
    name: 'my-app-credentials',
    namespace: 'shop',
    databaseUserName: options.databaseUser ?? 'my-app',
    owner:
      options.ownerUid === null ? undefined : { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: 'my-app', uid: options.ownerUid ?? 'uid-1' },
    credentials: { username: 'my_app_4553', password, host: 'db', port: 5432, database: 'shop', sslMode: undefined },
    resetToken: undefined,
    passwordChange: { reason: 'created' as const, at: '2026-12-01T00:00:00.000Z' },
    sealed: options.sealed ?? true,
  };
  return { kind: 'managed', secret: storedCredentialsSecret(write, { uid: 'secret-uid', resourceVersion: '1' }) };
}

const decide = (spec: Record<string, unknown>, credentials: CredentialsSecretLookup): DeletionDecision =>
  decideDeletion({ ...user, spec: databaseUserSpecSchema.parse({ username: 'my_app_4553', ...spec }), credentials });

/** The decision in a few words: what happens to the role and to the Secret. */
function summary(decision: DeletionDecision): string {
  switch (decision.kind) {
    case 'refuse':
      return `refuse ${decision.reason}`;
    case 'retain':
      return decision.orphan === undefined ? 'keep role, leave Secret' : `keep role, orphan Secret${decision.orphan.sealed ? ' (sealed)' : ' (unsealed)'}`;
    case 'drop':
      return decision.secret === undefined ? 'drop role, leave Secret' : `drop role, delete Secret ${decision.secret.uid}`;
  }
}

describe('decideDeletion', () => {
  it.each([
    ['a protected user', { protected: true }, secret(), 'refuse DeletionBlocked'],
    ['a protected user with Retain', { protected: true, deletionPolicy: 'Retain' }, secret(), 'refuse DeletionBlocked'],
    ['Delete, its own Secret', {}, secret(), 'drop role, delete Secret secret-uid'],
    ['Delete, no Secret', {}, { kind: 'absent' } as const, 'drop role, leave Secret'],
    ['Delete, a Secret the operator did not write', {}, { kind: 'unmanaged' } as const, 'drop role, leave Secret'],
    ["Delete, another DatabaseUser's Secret", {}, secret({ databaseUser: 'other' }), 'drop role, leave Secret'],
    ['Delete, a Secret merely labelled for it (unowned, unsealed)', {}, secret({ sealed: false, ownerUid: null }), 'drop role, leave Secret'],
    ['Delete, its owned Secret written before seals', {}, secret({ sealed: false }), 'drop role, delete Secret secret-uid'],
    ['Retain, its own Secret', { deletionPolicy: 'Retain' }, secret(), 'keep role, orphan Secret (sealed)'],
    ['Retain, its owned Secret written before seals', { deletionPolicy: 'Retain' }, secret({ sealed: false }), 'keep role, orphan Secret (unsealed)'],
    ['Retain, a Secret merely labelled for it', { deletionPolicy: 'Retain' }, secret({ sealed: false, ownerUid: null }), 'keep role, leave Secret'],
    ['Retain, no Secret', { deletionPolicy: 'Retain' }, { kind: 'absent' } as const, 'keep role, leave Secret'],
  ])('%s: %s', (_what, spec, credentials, expected) => {
    expect(summary(decide(spec, credentials))).toBe(expected);
  });

  it('orphans the Secret with its credentials and records, without an owner', () => {
    const decision = decide({ deletionPolicy: 'Retain' }, secret());
    expect(decision).toMatchObject({
      kind: 'retain',
      orphan: { name: 'my-app-credentials', owner: undefined, credentials: { password }, passwordChange: { reason: 'created' } },
    });
  });

  it('tells a protected user how to proceed', () => {
    const decision = decide({ protected: true }, secret());
    expect(decision.kind === 'refuse' ? decision.message : '').toContain(`kubectl patch dbu my-app --type merge -p '{"spec":{"protected":false}}'`);
  });
});
