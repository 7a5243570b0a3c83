import { describe, expect, it } from '@jest/globals';
import { statementsFor } from '../../../src/postgres/execute.js';
import { groupRoleName } from '../../../src/model/group-roles.js';
import * as sql from '../../../src/postgres/statements.js';

describe('SQL text', () => {
  it('quotes identifiers, case preserved, and escapes literals', () => {
    expect(sql.grantMembership('dbuser-readwrite@shop', 'My_App')).toBe('GRANT "dbuser-readwrite@shop" TO "My_App"');
    expect(sql.commentOnRole('My_App', "it's")).toBe(`COMMENT ON ROLE "My_App" IS 'it''s'`);
    expect(sql.reassignOwned('u"x', 'owner')).toBe('REASSIGN OWNED BY "u""x" TO "owner"');
  });

  it('creates a role with every attribute explicit and a verifier as the password', () => {
    const verifier = 'md5' + '0'.repeat(32);
    expect(sql.createRole('My_App', verifier)).toBe(
      `CREATE ROLE "My_App" WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${verifier}'`,
    );
  });

  it('refuses to put anything but a verifier in a PASSWORD clause', () => {
    expect(() => sql.setPassword('u', 'plaintext password')).toThrow('not a SCRAM-SHA-256 or MD5 verifier');
    expect(() => sql.setPassword('u', '')).toThrow();
    expect(() => sql.createRole('u', undefined as unknown as string)).toThrow();
  });

  it('alters only the attributes given', () => {
    expect(sql.alterAttributes('u', { login: true })).toBe('ALTER ROLE "u" WITH LOGIN');
    expect(sql.alterAttributes('u', { superuser: false, validUntil: null })).toBe(`ALTER ROLE "u" WITH NOSUPERUSER VALID UNTIL 'infinity'`);
    expect(sql.alterAttributes('u', { validUntil: '2030-01-01T00:00:00Z', connectionLimit: 1 })).toBe(
      `ALTER ROLE "u" WITH VALID UNTIL '2030-01-01T00:00:00Z' CONNECTION LIMIT 1`,
    );
    expect(sql.alterAttributes('u', { connectionLimit: -1 })).toBe('ALTER ROLE "u" WITH CONNECTION LIMIT -1');
  });

  it('refuses a connection limit that is not an integer of at least -1', () => {
    expect(() => sql.alterAttributes('u', { connectionLimit: -2 })).toThrow('connection limit');
    expect(() => sql.alterAttributes('u', { connectionLimit: 1.5 })).toThrow('connection limit');
  });

  it('grants the provider read-write set and the read-only set to the groups', () => {
    expect(sql.grantGroupPrivileges('readwrite', 'rw', 'shop', 'owner')).toEqual([
      'GRANT ALL ON DATABASE "shop" TO "rw"',
      'GRANT USAGE, CREATE ON SCHEMA "public" TO "rw"',
      'GRANT ALL ON ALL TABLES IN SCHEMA "public" TO "rw"',
      'GRANT ALL ON ALL SEQUENCES IN SCHEMA "public" TO "rw"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT ALL ON TABLES TO "rw"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT ALL ON SEQUENCES TO "rw"',
    ]);
    expect(sql.grantGroupPrivileges('readonly', 'ro', 'shop', 'owner')).toEqual([
      'GRANT CONNECT ON DATABASE "shop" TO "ro"',
      'GRANT USAGE ON SCHEMA "public" TO "ro"',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO "ro"',
      'GRANT SELECT ON ALL SEQUENCES IN SCHEMA "public" TO "ro"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT SELECT ON TABLES TO "ro"',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA "public" GRANT SELECT ON SEQUENCES TO "ro"',
    ]);
  });

  it('turns a password into a verifier, never into SQL text', async () => {
    const password = 'P'.repeat(64);
    const [create, comment] = await statementsFor({
      kind: 'createRole',
      username: 'u_123456',
      password,
      encryption: 'SCRAM-SHA-256',
      marker: { cluster: 'c', namespace: 'n', name: 'x', uid: 'id' },
    });
    expect(create).toMatch(/PASSWORD 'SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+'$/);
    expect(create).not.toContain(password);
    expect(comment).toBe(`COMMENT ON ROLE "u_123456" IS 'managed by dbuser-operator: {"cluster":"c","namespace":"n","name":"x","uid":"id"}'`);
    const [md5] = await statementsFor({ kind: 'setPassword', username: 'u_123456', password, encryption: 'MD5' });
    expect(md5).toMatch(/^ALTER ROLE "u_123456" WITH PASSWORD 'md5[0-9a-f]{32}'$/);
  });
});

describe('groupRoleName', () => {
  it('names groups after the database, within 63 bytes, distinct for distinct databases', () => {
    expect(groupRoleName('readonly', 'shop')).toBe('dbuser-readonly@shop');
    const long = 'd'.repeat(63);
    const longer = `${'d'.repeat(62)}e`;
    expect(Buffer.byteLength(groupRoleName('readwrite', long))).toBeLessThanOrEqual(63);
    expect(groupRoleName('readwrite', long)).not.toBe(groupRoleName('readwrite', longer));
    expect(Buffer.byteLength(groupRoleName('readwrite', 'é'.repeat(31)))).toBeLessThanOrEqual(63);
  });
});
