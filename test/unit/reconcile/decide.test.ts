import { databaseUserSpecSchema, type PasswordChangeRecord } from '../../../src/api/database-user.js';
import type { CredentialsSecretLookup } from '../../../src/model/credentials.js';
import { formatMarker } from '../../../src/model/ownership-marker.js';
import { decide as decideWith, type DecideSettings, type Observed } from '../../../src/reconcile/decide.js';
import { storedCredentialsSecret } from './recording-ports.js';
import { marker, observation, observedRole } from '../model/builders.js';

// decide() as a table: what was read -> refuse (reason) or apply (Secret written?, password change, actions).

const stored = 'p'.repeat(64);
const generated = 'g'.repeat(64);
const settings: DecideSettings = {
  clusterId: marker.cluster,
  operatorIdentity: 'system:serviceaccount:dbuser-system:dbuser-operator',
  minRotationMs: 3_600_000,
};
const decide = (input: Observed, generate: () => string) => decideWith(input, settings, generate);
const connection = { host: 'db', port: 5432, username: 'postgres', password: 'admin', database: 'postgres', sslMode: undefined, caCertificate: undefined };

function credentials(
  password: string,
  options: { databaseUser?: string; resetToken?: string; passwordChange?: PasswordChangeRecord; sealed?: boolean; ownerUid?: string | null } = {},
): CredentialsSecretLookup {
  const write = {
    name: 'my-app-rw-credentials',
    namespace: marker.namespace,
    databaseUserName: options.databaseUser ?? marker.name,
    owner:
      options.ownerUid === null
        ? undefined
        : { apiVersion: 'dbuser.dev/v1alpha1', kind: 'DatabaseUser', name: marker.name, uid: options.ownerUid ?? marker.uid },
    credentials: { username: 'my_app_4553_rw', password, host: 'db', port: 5432, database: 'shop', sslMode: undefined },
    resetToken: options.resetToken,
    passwordChange: options.passwordChange,
    sealed: options.sealed !== false,
  };
  return { kind: 'managed', secret: storedCredentialsSecret(write, { uid: 'secret-uid', resourceVersion: '1' }) };
}

const credentialsWith = (passwordChange: PasswordChangeRecord) => credentials(stored, { passwordChange });

/** The converged state: Secret and role match the spec. */
function observed(overrides: Partial<Observed> = {}, spec: Record<string, unknown> = {}): Observed {
  return {
    namespace: marker.namespace,
    name: marker.name,
    uid: marker.uid,
    spec: databaseUserSpecSchema.parse({ username: 'my_app_4553_rw', ...spec }),
    requestedResetToken: undefined,
    connection,
    database: 'shop',
    credentials: credentials(stored),
    chosen: { kind: 'none' },
    candidate: stored,
    role: observation(),
    createdAt: new Date('2026-12-01T00:00:00Z'),
    status: undefined,
    requestedBy: 'alice',
    now: new Date('2026-12-03T10:00:00Z'),
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
    ['a pending reset', observed({ requestedResetToken: 'r1' }), { write: true, change: 'reset', actions: ['setPassword'] }],
    [
      'a handled reset',
      observed({ requestedResetToken: 'r1', credentials: credentials(stored, { resetToken: 'r1' }) }),
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
    ['a reset of a protected user', observed({ requestedResetToken: 'r1' }, { protected: true }), 'PasswordResetRefused'],
    [
      'a reset of a chosen password',
      observed({ requestedResetToken: 'r1', chosen: chosen(stored) }, { passwordSecretRef: { name: 'my-password', key: 'password' } }),
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
    const decision = decide(observed({ requestedResetToken: 'r1' }), () => generated);
    if (decision.kind !== 'apply') throw new Error(`not applied: ${decision.kind}`);
    expect(decision.secret?.credentials.password).toBe(generated);
    expect(decision.actions).toEqual([expect.objectContaining({ kind: 'setPassword', password: generated })]);
    expect(decision.secret).toMatchObject({
      resetToken: 'r1',
      passwordChange: { reason: 'reset', at: '2026-12-03T10:00:00.000Z', by: 'alice' },
      sealed: true,
    });
  });
});

// Security review, finding 2: the credentials Secret is not the password of record for anyone who can write it.
describe('decide: finding 2 (a credentials Secret written by someone else)', () => {
  const tampered = 'short';
  const unsealed = (password: string, options: Parameters<typeof credentials>[1] = {}) => ({
    credentials: credentials(password, { ...options, sealed: false }),
    candidate: password,
  });
  const roleHasOther = observation({ password: { matches: false, encryption: 'SCRAM-SHA-256' } });
  const apply = (input: Observed) => {
    const decision = decide(input, () => generated);
    if (decision.kind !== 'apply') throw new Error(`not applied: ${decision.kind}`);
    return decision;
  };

  it('never applies a password someone else wrote: a new one is generated and written over it, sealed', () => {
    const decision = apply(observed({ ...unsealed(tampered), role: roleHasOther }));
    expect(decision.password).toMatchObject({ kind: 'write', password: generated, change: 'regenerated' });
    expect(decision.rejectedSecretPassword).toBe(true);
    expect(decision.actions).toEqual([expect.objectContaining({ kind: 'setPassword', password: generated })]);
    expect(decision.secret?.sealed).toBe(true);
  });

  it('refuses it for a protected user, whose role keeps its password', () => {
    const decision = decide(observed({ ...unsealed(tampered), role: roleHasOther }, { protected: true }), () => generated);
    expect(decision).toMatchObject({ kind: 'refuse', reason: 'PasswordChangeRefused' });
    expect(decision.kind === 'refuse' ? decision.message : '').toContain('not written by dbuser-operator');
  });

  it('writes the chosen password back over it, without touching a role that has it', () => {
    const chosenPassword = 'c'.repeat(30);
    const decision = apply(
      observed(
        { ...unsealed(tampered), chosen: chosen(chosenPassword), candidate: chosenPassword },
        { passwordSecretRef: { name: 'my-password', key: 'password' } },
      ),
    );
    expect(decision.password).toMatchObject({ kind: 'write', password: chosenPassword });
    expect(decision.secret).toBeDefined();
    expect(decision.actions).toEqual([]);
  });

  it('keeps an unsealed Secret whose password the role has (written before seals existed), without a write', () => {
    const decision = apply(observed({ ...unsealed(stored), status: { lastPasswordReset: undefined } }));
    expect({ write: decision.secret !== undefined, password: decision.password.kind, rejected: decision.rejectedSecretPassword }).toEqual({
      write: false,
      password: 'keep',
      rejected: false,
    });
  });

  it('takes the password-change record of an unsealed Secret from the status, not from the Secret', () => {
    const recorded = { reason: 'reset' as const, at: '2026-12-02T00:00:00.000Z', by: 'alice' };
    const forged = { reason: 'reset' as const, at: '2026-12-02T00:00:00.000Z', by: 'someone-typed-this' };
    const decision = apply(observed({ ...unsealed(stored, { passwordChange: forged }), status: { lastPasswordChange: recorded } }));
    expect(decision.lifecycle.lastPasswordChange).toEqual(recorded);
    expect(decision.secret?.passwordChange).toEqual(recorded);
  });

  it('adopts a sealed Secret retained by an earlier DatabaseUser of this name (no owner reference)', () => {
    const decision = apply(observed({ credentials: credentials(stored, { ownerUid: null }) }));
    expect(decision.password.kind).toBe('keep');
  });

  it.each([
    ["owned by no one, unsealed, not the role's password", { ...unsealed(tampered, { ownerUid: null }), role: roleHasOther }],
    ["owned by another DatabaseUser, unsealed, not the role's password", { ...unsealed(tampered, { ownerUid: 'uid-other' }), role: roleHasOther }],
    ['merely labelled for this user before its role exists', { ...unsealed(tampered, { ownerUid: null }), role: absentRole }],
  ])('leaves a Secret %s untouched: SecretConflict', (_, overrides) => {
    expect(decide(observed(overrides), () => generated)).toMatchObject({ kind: 'refuse', reason: 'SecretConflict' });
  });

  it('does not rely on a sealed record older than the status (an earlier state of the Secret put back)', () => {
    const old = { reason: 'created' as const, at: '2026-12-01T00:00:00.000Z' };
    const decision = apply(
      observed({
        credentials: credentials(tampered, { passwordChange: old }),
        candidate: tampered,
        role: roleHasOther,
        status: { lastPasswordChange: { reason: 'reset', at: '2026-12-02T00:00:00.000Z' } },
      }),
    );
    expect(decision.password).toMatchObject({ kind: 'write', password: generated, change: 'regenerated' });
  });
});

describe('decide: the password lifecycle', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  const hour = 3_600_000;
  const apply = (input: Observed) => {
    const decision = decide(input, () => generated);
    if (decision.kind !== 'apply') throw new Error(`not applied: ${decision.kind}`);
    return decision;
  };
  const changedAt = (at: Date) => credentialsWith({ reason: 'created', at: at.toISOString(), by: 'alice' });

  it.each([
    ['a new user', 'initial', 'created', undefined],
    ['a pending reset', 'reset', 'reset', 'alice'],
    ['a lost Secret, the operator makes a new one', 'regenerated', 'reset', 'system:serviceaccount:dbuser-system:dbuser-operator'],
    ['a new chosen password', 'chosen', 'update', undefined],
  ] as const)('%s: recorded with the password as %s -> reason %s, by %s', (what, change, reason, by) => {
    const inputs: Record<typeof change, Observed> = {
      initial: observed({ credentials: { kind: 'absent' }, candidate: undefined, role: absentRole }),
      reset: observed({ requestedResetToken: 'r1' }),
      regenerated: observed({ credentials: { kind: 'absent' }, candidate: undefined }),
      chosen: observed({ chosen: chosen('c'.repeat(30)) }),
    };
    const decision = apply(inputs[change]);
    expect(decision.password).toMatchObject({ kind: 'write', change });
    expect(decision.lifecycle.lastPasswordChange).toEqual({ reason, at: now.toISOString(), ...(by === undefined ? {} : { by }) });
    expect(decision.secret?.passwordChange).toEqual(decision.lifecycle.lastPasswordChange);
    expect(what).toBeTruthy();
  });

  it('keeps the record the Secret holds while the password stays, and writes nothing', () => {
    const record = { reason: 'created' as const, at: '2026-12-01T00:00:00.000Z', by: 'alice' };
    const decision = apply(observed({ credentials: credentialsWith(record) }));
    expect(decision.secret).toBeUndefined();
    expect(decision.lifecycle.lastPasswordChange).toEqual(record);
  });

  it('rotates a generated password when its time has come, recorded as by the operator', () => {
    const decision = apply(observed({ credentials: changedAt(new Date(now.getTime() - 2 * hour)) }, { passwordRotation: { every: '1h' } }));
    expect(decision.password).toMatchObject({ kind: 'write', change: 'rotation', password: generated });
    expect(decision.lifecycle.lastPasswordChange).toEqual({
      reason: 'rotation',
      at: now.toISOString(),
      by: 'system:serviceaccount:dbuser-system:dbuser-operator',
    });
    const next = decision.lifecycle.passwordRotatesAt?.getTime() ?? 0;
    expect(next).toBeGreaterThan(now.getTime() + 0.9 * hour - 1);
    expect(next).toBeLessThanOrEqual(now.getTime() + hour);
  });

  it('does not rotate early, and says when it will', () => {
    const set = new Date(now.getTime() - 30 * 60_000);
    const decision = apply(observed({ credentials: changedAt(set) }, { passwordRotation: { every: '1h' } }));
    expect(decision.password.kind).toBe('keep');
    expect(decision.secret).toBeUndefined();
    expect(decision.lifecycle.passwordRotatesAt?.getTime()).toBeGreaterThan(now.getTime());
  });

  it('spreads the rotations of users set in the same second over 10 % of the interval', () => {
    const set = new Date(now.getTime() - 60_000);
    const times = Array.from({ length: 200 }, (_, i) =>
      apply(observed({ uid: `uid-${i}`, credentials: changedAt(set) }, { passwordRotation: { every: '720h' } })).lifecycle.passwordRotatesAt?.getTime(),
    );
    const distinctSeconds = new Set(times.map((time) => Math.floor((time ?? 0) / 1000)));
    expect(distinctSeconds.size).toBeGreaterThan(195);
    for (const time of times) {
      expect(time).toBeGreaterThanOrEqual(set.getTime() + 0.9 * 720 * hour);
      expect(time).toBeLessThanOrEqual(set.getTime() + 720 * hour);
    }
  });

  it.each([
    [
      'a chosen password',
      { passwordRotation: { every: '1h' }, passwordSecretRef: { name: 'my-password' } },
      { chosen: chosen('c'.repeat(30)) },
      'PasswordRotationRefused',
    ],
    ['an interval below the operator minimum', { passwordRotation: { every: '59m' } }, {}, 'InvalidSpec'],
  ])('rotation with %s: refused (%s)', (_what, spec, overrides, reason) => {
    expect(decide(observed(overrides, spec), () => generated)).toMatchObject({ kind: 'refuse', reason });
  });

  it('a ttl that has ended: expire, before anything else is looked at', () => {
    const createdAt = new Date(now.getTime() - 31_000);
    expect(decide(observed({ createdAt, credentials: { kind: 'unmanaged' } }, { ttl: '30s' }), () => generated)).toEqual({
      kind: 'expire',
      expiresAt: new Date(createdAt.getTime() + 30_000),
    });
  });

  it('a ttl still running: expiresAt reported, also with a refusal', () => {
    const createdAt = new Date(now.getTime() - 10_000);
    expect(apply(observed({ createdAt }, { ttl: '30s' })).lifecycle.expiresAt).toEqual(new Date(createdAt.getTime() + 30_000));
    expect(decide(observed({ createdAt, credentials: { kind: 'unmanaged' } }, { ttl: '30s' }), () => generated)).toMatchObject({
      kind: 'refuse',
      reason: 'SecretConflict',
      expiresAt: new Date(createdAt.getTime() + 30_000),
    });
  });
});
