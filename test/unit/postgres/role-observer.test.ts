// The look at the role under the lock, sent in the lock's round trip (ADR 27): when it may be, what it
// sends, and that a pooler's miss turns it off for that server.
import { describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { executeRoleStatement, roleStatement } from '../../../src/postgres/observe.js';
import type { PostgresPools } from '../../../src/postgres/pools.js';
import { RoleObserver } from '../../../src/postgres/role-observer.js';
import type { RoleTarget } from '../../../src/model/role-target.js';

const target: RoleTarget = {
  connection: { host: 'db', port: 5432, username: 'admin', password: 'pw', database: 'postgres', sslMode: undefined, caCertificate: undefined },
  database: 'shop',
  username: 'my_user',
};

/** A client that answers the server and database queries (a superuser admin) and nothing else: no groups, no role. */
function client(superuser = true): pg.ClientBase {
  return {
    query: (config: string | { text: string }) => {
      const text = typeof config === 'string' ? config : config.text;
      if (text.includes('current_user AS admin')) return Promise.resolve({ rows: [{ admin: 'admin', superuser }] });
      if (text.includes('d.datname AS name')) return Promise.resolve({ rows: [{ name: 'shop', owner: 'shop_owner' }] });
      return Promise.resolve({ rows: [] });
    },
  } as unknown as pg.ClientBase;
}

describe('the look-ahead at the role', () => {
  it('is not offered before the server is known (which form of the role query to run)', () => {
    const observer = new RoleObserver({} as PostgresPools);
    expect(observer.roleLookAhead(client(), target)).toBeUndefined();
  });

  it('prepares the statement once per connection, then only executes it', async () => {
    const observer = new RoleObserver({} as PostgresPools);
    const first = client();
    await observer.observe(first, target, undefined, false);
    const lookAhead = observer.roleLookAhead(first, target);
    expect(lookAhead?.statements).toEqual([roleStatement(true).prepare, executeRoleStatement(true, 'my_user')]);
    expect(lookAhead?.readPassword).toBe(true);
    // Not prepared until the round trip succeeded.
    expect(observer.roleLookAhead(first, target)?.statements).toHaveLength(2);
    lookAhead?.prepared();
    expect(observer.roleLookAhead(first, target)?.statements).toEqual([executeRoleStatement(true, 'my_user')]);
    // Another connection has not prepared it.
    expect(observer.roleLookAhead(client(), target)?.statements).toHaveLength(2);
  });

  it('reads pg_roles (no password hash) for an admin that is not a superuser', async () => {
    const observer = new RoleObserver({} as PostgresPools);
    const admin = client(false);
    await observer.observe(admin, target, undefined, false);
    expect(observer.roleLookAhead(admin, target)).toMatchObject({
      readPassword: false,
      statements: [roleStatement(false).prepare, executeRoleStatement(false, 'my_user')],
    });
  });

  it('is given up on a server whose pooler lost a prepared statement, and so is the named one', async () => {
    const observer = new RoleObserver({} as PostgresPools);
    const pooled = client();
    await observer.observe(pooled, target, undefined, false);
    observer.lookAheadFailed(target, Object.assign(new Error('prepared statement "dbuser_observe_role_sql_authid" does not exist'), { code: '26000' }));
    expect(observer.roleLookAhead(pooled, target)).toBeUndefined();
    // Any other failure (a lock timeout) leaves it on.
    const other = new RoleObserver({} as PostgresPools);
    await other.observe(pooled, target, undefined, false);
    other.lookAheadFailed(target, Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }));
    expect(other.roleLookAhead(pooled, target)).toBeDefined();
  });

  it('reads the role from rows the look-ahead brought, without asking again', async () => {
    const observer = new RoleObserver({} as PostgresPools);
    const queries: string[] = [];
    const recording = {
      query: (config: string | { text: string }) => {
        const text = typeof config === 'string' ? config : config.text;
        queries.push(text);
        return client().query(text);
      },
    } as unknown as pg.ClientBase;
    const roleQueries = () => queries.filter((text) => text.includes('r.rolinherit AS inherit')).length;
    await observer.observe(recording, target, undefined, false);
    expect(roleQueries()).toBe(1);
    const observed = await observer.observe(recording, target, undefined, false, { rows: [], readPassword: true });
    expect(observed.role).toBeUndefined();
    expect(roleQueries()).toBe(1);
  });
});
