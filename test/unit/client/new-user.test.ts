import { describe, expect, it } from '@jest/globals';
import { databaseUserNameFor, newDatabaseUser, plainNewUserRequest, type NewUserRequest } from '../../../src/client/new-user.js';

const request = (overrides: Partial<NewUserRequest>): NewUserRequest => ({ ...plainNewUserRequest('my_user'), ...overrides });

describe('databaseUserNameFor', () => {
  it.each([
    ['my_user', 'my-user'],
    ['My_App_4553_RW', 'my-app-4553-rw'],
    ['trailing__', 'trailing'],
  ])('%s -> %s', (username, name) => {
    expect(databaseUserNameFor(username)).toBe(name);
  });
});

describe('newDatabaseUser', () => {
  it('sends only what was asked for; the CRD defaults the rest', () => {
    expect(newDatabaseUser(request({}))).toEqual({ name: 'my-user', spec: { username: 'my_user' } });
    expect(
      newDatabaseUser(request({ readOnly: true, protected: true, connection: 'pg', database: 'shop', passwordEncryption: 'md5', name: 'custom' })),
    ).toEqual({
      name: 'custom',
      spec: { username: 'my_user', readOnly: true, protected: true, connection: { secretName: 'pg' }, database: 'shop', passwordEncryption: 'md5' },
    });
  });

  it.each([
    ['abcde', 'username "abcde": must be at least 6 characters'],
    ['a'.repeat(33), 'must be at most 32 characters'],
    ['1abcdef', 'username must start with a letter and contain only letters, digits and underscores'],
    ['bad-name', 'username must start with a letter and contain only letters, digits and underscores'],
    ['pg_x_user', 'usernames starting with "pg_" are reserved'],
    ['Postgres', 'username "postgres" is reserved'],
  ])("refuses username %s with the CRD rule's message", (username, message) => {
    expect(() => newDatabaseUser(request({ username }))).toThrow(message);
  });

  it('refuses bad flag values, naming the flag', () => {
    expect(() => newDatabaseUser(request({ passwordEncryption: 'sha1' }))).toThrow('--password-encryption "sha1": must be one of scram-sha-256, md5');
    expect(() => newDatabaseUser(request({ connection: 'Not_A_Name' }))).toThrow('--connection "Not_A_Name": must be a lowercase DNS-1123 subdomain');
    expect(() => newDatabaseUser(request({ name: 'UPPER' }))).toThrow('--name "UPPER": must be a lowercase DNS-1123 subdomain');
  });

  it('passes the lifecycle flags as spec fields', () => {
    expect(newDatabaseUser(request({ validUntil: '2027-06-30T00:00:00Z', connectionLimit: '2', ttl: '2h', rotateEvery: '720h' })).spec).toEqual({
      username: 'my_user',
      validUntil: '2027-06-30T00:00:00Z',
      connectionLimit: 2,
      ttl: '2h',
      passwordRotation: { every: '720h' },
    });
  });

  it.each([
    [{ validUntil: 'next tuesday' }, '--valid-until "next tuesday"'],
    [{ connectionLimit: 'many' }, '--connection-limit "many"'],
    [{ connectionLimit: '-2' }, '--connection-limit "-2"'],
    [{ ttl: '2 hours' }, '--ttl "2 hours": must be a duration such as 30s, 90m or 720h'],
    [{ ttl: '0s' }, '--ttl "0s": must be longer than 0s'],
    [{ rotateEvery: 'monthly' }, '--rotate-every "monthly"'],
    [{ protected: true, ttl: '1h' }, 'a protected user cannot have a ttl'],
    [{ protected: true, rotateEvery: '720h' }, "a protected user's password never changes"],
  ])('refuses %j before sending anything: %s', (overrides, message) => {
    expect(() => newDatabaseUser(request(overrides))).toThrow(message);
  });
});

describe('newDatabaseUser on a Database', () => {
  it('gives spec.databaseRef, and refuses it with --connection as the CRD does', () => {
    expect(newDatabaseUser({ ...plainNewUserRequest('my_app_4553_ro'), readOnly: true, databaseRef: 'my-app' }).spec).toEqual({
      username: 'my_app_4553_ro',
      readOnly: true,
      databaseRef: { name: 'my-app' },
    });
    expect(() => newDatabaseUser({ ...plainNewUserRequest('my_app_4553_ro'), databaseRef: 'my-app', connection: 'pg' })).toThrow(
      'databaseRef names the Database, its server and its database: it cannot be given with connection or database; nothing was changed',
    );
  });
});
