import { describe, expect, it } from '@jest/globals';
import { databaseUserNameFor, newDatabaseUser, type NewUserRequest } from '../../../src/cli/new-user.js';

const request = (overrides: Partial<NewUserRequest>): NewUserRequest => ({
  username: 'my_user',
  readOnly: false,
  protected: false,
  database: undefined,
  connection: undefined,
  passwordEncryption: undefined,
  name: undefined,
  ...overrides,
});

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
});
