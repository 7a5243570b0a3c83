import { databaseUserSpecSchema } from '../../../src/api/database-user.js';
import { passwordResetHandledAnnotation } from '../../../src/api/names.js';
import { credentialsSecretManifest, projectCredentialsSecret } from '../../../src/kubernetes/credentials-secret.js';
import type { CredentialsSecretLookup } from '../../../src/kubernetes/cluster-cache.js';
import { formatMarker } from '../../../src/model/ownership-marker.js';
import { decide, type Observed } from '../../../src/reconcile/decide.js';
import { marker, observation, observedRole } from '../model/builders.js';

// decide() as a table: what was read -> refuse (reason) or apply (Secret written?, password change, actions).

const stored = 'p'.repeat(64);
const generated = 'g'.repeat(64);
const connection = { host: 'db', port: 5432, username: 'postgres', password: 'admin', database: 'postgres', sslMode: undefined, caCertificate: undefined };

function credentials(password: string, options: { databaseUser?: string; resetToken?: string } = {}): CredentialsSecretLookup {
  const manifest = credentialsSecretManifest({
    name: 'my-app-rw-credentials',
    namespace: marker.namespace,
    databaseUserName: options.databaseUser ?? marker.name,
    owner: { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: marker.name, uid: marker.uid },
    credentials: { username: 'my_app_4553_rw', password, host: 'db', port: 5432, database: 'shop', sslMode: undefined },
    resetToken: options.resetToken,
  });
  return {
    kind: 'managed',
    secret: projectCredentialsSecret({ metadata: { ...manifest.metadata, uid: 'secret-uid', resourceVersion: '1' }, data: manifest.data }),
  };
}

/** The converged state: Secret and role match the spec. */
function observed(overrides: Partial<Observed> = {}, spec: Record<string, unknown> = {}): Observed {
  return {
    namespace: marker.namespace,
    name: marker.name,
    uid: marker.uid,
    clusterId: marker.cluster,
    spec: databaseUserSpecSchema.parse({ username: 'my_app_4553_rw', ...spec }),
    resetRequest: undefined,
    connection,
    database: 'shop',
    credentials: credentials(stored),
    chosen: { kind: 'none' },
    candidate: stored,
    role: observation(),
    ...overrides,
  };
}

const chosen = (password: string) => ({ kind: 'value' as const, password, secretName: 'my-password', resourceVersion: '3' });
const absentRole = observation({ role: undefined, password: { matches: false, encryption: undefined } });

describe('decide', () => {
  it.each([
    [
      'a new user',
      observed({ credentials: { kind: 'absent' }, candidate: undefined, role: absentRole }),
      { write: true, change: 'initial', actions: ['createRole', 'grantMembership', 'grantDefaultPrivileges'] },
    ],
    ['the converged state', observed(), { write: false, change: 'keep', actions: [] }],
    ['a pending reset', observed({ resetRequest: 'r1' }), { write: true, change: 'reset', actions: ['setPassword'] }],
    [
      'a handled reset',
      observed({ resetRequest: 'r1', credentials: credentials(stored, { resetToken: 'r1' }) }),
      { write: false, change: 'keep', actions: [] },
    ],
    [
      'a role whose password drifted',
      observed({ role: observation({ password: { matches: false, encryption: 'SCRAM-SHA-256' } }) }),
      { write: false, change: 'keep', actions: ['setPassword'] },
    ],
    [
      'a lost Secret, role kept',
      observed({ credentials: { kind: 'absent' }, candidate: undefined }),
      { write: true, change: 'regenerated', actions: ['setPassword'] },
    ],
    ['a new chosen password', observed({ chosen: chosen('c'.repeat(30)) }), { write: true, change: 'chosen', actions: ['setPassword'] }],
    [
      'read-write to read-only',
      observed({}, { readOnly: true }),
      { write: false, change: 'keep', actions: ['grantMembership', 'revokeMembership', 'revokeDefaultPrivileges'] },
    ],
    [
      'a role marked by an earlier DatabaseUser of the same name',
      observed({ role: observation({ role: observedRole({ comment: formatMarker({ ...marker, uid: 'old-uid' }) }) }) }),
      { write: false, change: 'keep', actions: ['setMarker'] },
    ],
  ])('%s: apply', (_, input, expected) => {
    const decision = decide(input, () => generated);
    expect(decision.kind).toBe('apply');
    if (decision.kind !== 'apply') return;
    expect({
      write: decision.secret !== undefined,
      change: decision.password.kind === 'write' ? decision.password.change : 'keep',
      actions: decision.actions.map((action) => action.kind),
    }).toEqual(expected);
  });

  it.each([
    ['an unmanaged Secret of that name', observed({ credentials: { kind: 'unmanaged' } }), 'SecretConflict'],
    ["another DatabaseUser's Secret", observed({ credentials: credentials(stored, { databaseUser: 'someone-else' }) }), 'SecretConflict'],
    ['a role without our marker', observed({ role: observation({ role: observedRole({ comment: null }) }) }), 'RoleConflict'],
    [
      'a superuser role',
      observed({ role: observation({ role: observedRole({ attributes: { ...observedRole().attributes, superuser: true } }) }) }),
      'RoleConflict',
    ],
    ["the connection's own role", observed({ role: observation({ server: { adminUsername: 'my_app_4553_rw', adminIsSuperuser: true } }) }), 'RoleConflict'],
    ['a reset of a protected user', observed({ resetRequest: 'r1' }, { protected: true }), 'PasswordResetRefused'],
    [
      'a reset of a chosen password',
      observed({ resetRequest: 'r1', chosen: chosen(stored) }, { passwordSecretRef: { name: 'my-password', key: 'password' } }),
      'PasswordResetRefused',
    ],
    ['a new chosen password for a protected user', observed({ chosen: chosen('c'.repeat(30)) }, { protected: true }), 'PasswordChangeRefused'],
    [
      'a protected user whose Secret is lost',
      observed({ credentials: { kind: 'absent' }, candidate: undefined }, { protected: true }),
      'PasswordChangeRefused',
    ],
    [
      'a protected user whose Secret differs from the role',
      observed(
        {
          credentials: { kind: 'absent' },
          chosen: chosen('c'.repeat(30)),
          candidate: 'c'.repeat(30),
          role: observation({ password: { matches: false, encryption: 'SCRAM-SHA-256' } }),
        },
        { protected: true },
      ),
      'PasswordChangeRefused',
    ],
    ['a chosen password with a quote', observed({ chosen: chosen(`${'c'.repeat(30)}'`) }), 'PasswordPolicyViolation'],
    ['an unreadable chosen-password Secret', observed({ chosen: { kind: 'unreadable', message: 'password Secret "x" not found' } }), 'PasswordSecretInvalid'],
  ])('%s: refused with %s', (_, input, reason) => {
    expect(decide(input, () => generated)).toMatchObject({ kind: 'refuse', reason });
  });

  it('puts the password it decided in both the Secret and the role', () => {
    const decision = decide(observed({ resetRequest: 'r1' }), () => generated);
    if (decision.kind !== 'apply') throw new Error(`refused: ${decision.message}`);
    expect(Buffer.from(decision.secret?.data.password ?? '', 'base64').toString()).toBe(generated);
    expect(decision.actions).toEqual([expect.objectContaining({ kind: 'setPassword', password: generated })]);
    expect(decision.secret?.metadata.annotations).toEqual({ [passwordResetHandledAnnotation]: 'r1' });
  });
});
