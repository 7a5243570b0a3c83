import { describe, expect, it } from '@jest/globals';
import { databaseServerSpecSchema, type DatabaseServerLimits } from '../../../src/api/database-server.js';
import { databaseUserSpecSchema } from '../../../src/api/database-user.js';
import { databaseLimitProblem, effectiveConnectionLimit, inCreationOrder, serverAllows, userLimitProblem } from '../../../src/reconcile/server-rules.js';

// What a DatabaseServer lets a namespace do: who may use it, and the limits, admitting the first
// objects by creation so the same ones keep their place whatever order they are reconciled in.

const server = (spec: Record<string, unknown>) => databaseServerSpecSchema.parse({ adminSecretRef: { name: 'main-admin' }, ...spec });
const limits = (values: Record<string, unknown>): DatabaseServerLimits => {
  const parsed = server({ limits: values }).limits;
  if (parsed === undefined) throw new Error('limits were dropped by the schema');
  return parsed;
};
const object = (name: string, creationTimestamp: string) => ({ metadata: { name, creationTimestamp } });
const userSpec = (spec: Record<string, unknown> = {}) => databaseUserSpecSchema.parse({ username: 'shop_reader', ...spec });

describe('serverAllows', () => {
  it('lets nobody in when neither namespaceSelector nor namespaces is given', () => {
    expect(serverAllows(server({}), 'shop', { team: 'shop' })).toBe(false);
  });

  it('lets every namespace in with namespaceSelector {}', () => {
    expect(serverAllows(server({ namespaceSelector: {} }), 'shop', {})).toBe(true);
  });

  it('lets a namespace in by its labels, or by its name', () => {
    const spec = server({ namespaceSelector: { matchLabels: { 'dbuser.dev/tenant': 'true' } }, namespaces: ['billing'] });
    expect(serverAllows(spec, 'shop', { 'dbuser.dev/tenant': 'true' })).toBe(true);
    expect(serverAllows(spec, 'billing', {})).toBe(true);
    expect(serverAllows(spec, 'attacker', { team: 'attacker' })).toBe(false);
  });

  it('refuses by selector while the namespace labels are unknown, but not a namespace named', () => {
    expect(serverAllows(server({ namespaceSelector: {} }), 'shop', undefined)).toBe(false);
    expect(serverAllows(server({ namespaces: ['shop'] }), 'shop', undefined)).toBe(true);
  });
});

describe('databaseLimitProblem', () => {
  const siblings = [object('c', '2026-12-01T00:00:02Z'), object('a', '2026-12-01T00:00:01Z'), object('b', '2026-12-01T00:00:01Z')];

  it('admits the first Databases by creation, then name, and refuses the later ones', () => {
    expect(inCreationOrder(siblings).map((sibling) => sibling.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(databaseLimitProblem('main', limits({ databases: 2 }), { name: 'a' }, siblings)).toBeUndefined();
    expect(databaseLimitProblem('main', limits({ databases: 2 }), { name: 'b' }, siblings)).toBeUndefined();
    expect(databaseLimitProblem('main', limits({ databases: 2 }), { name: 'c' }, siblings)).toEqual({
      reason: 'QuotaExceeded',
      message: 'DatabaseServer "main" allows 2 Databases per namespace and this namespace has 3: delete one, or ask the platform team for more',
    });
  });

  it('has no count without a limit, and a limit of 0 refuses every Database', () => {
    expect(databaseLimitProblem('main', undefined, { name: 'c' }, siblings)).toBeUndefined();
    expect(databaseLimitProblem('main', limits({}), { name: 'c' }, siblings)).toBeUndefined();
    expect(databaseLimitProblem('main', limits({ databases: 0 }), { name: 'a' }, siblings)?.reason).toBe('QuotaExceeded');
  });
});

describe('userLimitProblem', () => {
  const users = [object('first', '2026-12-01T00:00:01Z'), object('second', '2026-12-01T00:00:02Z')];
  const problem = (values: Record<string, unknown>, spec: Record<string, unknown> = {}, self = { name: 'second', isDefaultUser: false }) =>
    userLimitProblem('main', limits(values), self, userSpec(spec), users)?.message;

  it('counts users per database besides the default user', () => {
    expect(problem({ usersPerDatabase: 2 })).toBeUndefined();
    expect(problem({ usersPerDatabase: 1 })).toBe(
      'DatabaseServer "main" allows 1 users per database besides its default user: delete one, or ask the platform team for more',
    );
    expect(problem({ usersPerDatabase: 1 }, {}, { name: 'first', isDefaultUser: false })).toBeUndefined();
    expect(problem({ usersPerDatabase: 0 }, {}, { name: 'my-app', isDefaultUser: true })).toBeUndefined();
  });

  it('caps the connection limit; unlimited (-1) becomes the cap rather than a refusal', () => {
    expect(problem({ maxConnectionLimit: 10 }, { connectionLimit: 11 })).toBe(
      'DatabaseServer "main" allows a connection limit of at most 10: lower spec.connectionLimit',
    );
    expect(problem({ maxConnectionLimit: 10 }, { connectionLimit: 10 })).toBeUndefined();
    expect(problem({ maxConnectionLimit: 10 })).toBeUndefined();
    expect(effectiveConnectionLimit(limits({ maxConnectionLimit: 10 }), -1)).toBe(10);
    expect(effectiveConnectionLimit(limits({ maxConnectionLimit: 10 }), 3)).toBe(3);
    expect(effectiveConnectionLimit(limits({}), -1)).toBe(-1);
  });

  it('refuses MD5 only where the server forbids it', () => {
    expect(problem({}, { passwordEncryption: 'md5' })).toBeUndefined();
    expect(problem({ allowMD5: false }, { passwordEncryption: 'md5' })).toBe(
      'DatabaseServer "main" does not allow MD5 passwords: use passwordEncryption scram-sha-256',
    );
    expect(problem({ allowMD5: false })).toBeUndefined();
  });

  it('refuses a rotation shorter than the server allows', () => {
    expect(problem({ minPasswordRotation: '24h' }, { passwordRotation: { every: '12h' } })).toBe(
      'DatabaseServer "main" rotates passwords at most every 24h: lengthen spec.passwordRotation.every',
    );
    expect(problem({ minPasswordRotation: '24h' }, { passwordRotation: { every: '1440m' } })).toBeUndefined();
    expect(problem({ minPasswordRotation: '24h' })).toBeUndefined();
  });

  it('has nothing to say without limits', () => {
    expect(userLimitProblem('main', undefined, { name: 'second', isDefaultUser: false }, userSpec({ connectionLimit: 500 }), users)).toBeUndefined();
  });
});
