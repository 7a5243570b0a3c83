// ADR 19: every function, operator, relation and type the operator's queries name is written with
// its schema, so a tenant's objects in public (or in a schema named after the admin) are never a
// better match than pg_catalog's, even on a session whose search_path a pooler left unpinned.
import { describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { groupRoleName } from '../../../src/model/group-roles.js';
import { executeRoleStatement, observeDatabase, observeRole, observeServer, roleStatement } from '../../../src/postgres/observe.js';
import { pinnedSearchPath, searchPathStartupOption, setLocalSearchPath } from '../../../src/postgres/search-path.js';
import * as databaseSql from '../../../src/postgres/database-statements.js';
import * as sql from '../../../src/postgres/statements.js';

/** Keywords that look like calls or relations in SQL but resolve nothing through the search_path. */
const syntax = new Set([
  'in',
  'exists',
  'array',
  'any',
  'coalesce',
  'not',
  'and',
  'or',
  'select',
  'where',
  'on',
  'then',
  'when',
  'else',
  'from',
  'lateral',
  'with',
  'as',
]);

/** What in `text` would be looked up through the search_path: unqualified calls, operators, relations, types. */
function unqualifiedNames(text: string): string[] {
  const found: string[] = [];
  const stripped = text
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '"q"')
    .replace(/OPERATOR\(pg_catalog\.[^)]+\)/g, ' ¤ ');
  for (const statement of stripped.split(';')) {
    if (/^\s*SET\s/i.test(statement)) continue; // SET name = value is syntax, not an operator
    for (const match of statement.matchAll(/[=<>!~|+\-*/%^&#@]+/g)) found.push(`operator ${match[0]}`);
    for (const match of statement.matchAll(/\b(IN|LIKE|ILIKE|SIMILAR|BETWEEN)\b/gi)) found.push(`operator ${match[0]}`);
    for (const match of statement.matchAll(/([A-Za-z_][\w.]*)\s*\(/g)) {
      const name = match[1] ?? '';
      if (!name.startsWith('pg_catalog.') && !syntax.has(name.toLowerCase())) found.push(`function ${name}`);
    }
    for (const match of statement.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)/gi)) {
      const name = match[1] ?? '';
      if (!name.startsWith('pg_catalog.') && name.toUpperCase() !== 'LATERAL') found.push(`relation ${name}`);
    }
    for (const match of statement.matchAll(/::\s*([A-Za-z_"][\w."]*)/g)) {
      if (!(match[1] ?? '').startsWith('pg_catalog.')) found.push(`type ${match[1] ?? ''}`);
    }
  }
  return found;
}

/** The query texts the observation sends, captured by a client that answers just enough to go on. */
async function observationQueries(): Promise<string[]> {
  const texts: string[] = [];
  const groups = [groupRoleName('readonly', 'shop'), groupRoleName('readwrite', 'shop')];
  const client = {
    query: (query: string | { text: string }) => {
      const text = typeof query === 'string' ? query : query.text;
      texts.push(text);
      if (text.includes('AS owner')) return Promise.resolve({ rows: [{ name: 'shop', owner: 'owner' }] });
      if (text.includes('AS comment FROM')) return Promise.resolve({ rows: groups.map((name) => ({ name, comment: null })) });
      return Promise.resolve({
        rows: [{ admin: 'admin', superuser: true, complete: true, member_of: [], default_acl: [], comment: null, connlimit: -1, validuntil: null }],
      });
    },
  } as unknown as pg.ClientBase;
  await observeServer(client);
  await observeDatabase(client);
  for (const readPassword of [true, false]) for (const prepared of [true, false]) await observeRole(client, 'my_app', 'shop', readPassword, prepared);
  return texts;
}

describe('the search_path pin', () => {
  it('is pg_catalog first and pg_temp last, at connection start and in every transaction', () => {
    expect(pinnedSearchPath).toBe('pg_catalog, pg_temp');
    expect(searchPathStartupOption).toBe('-c search_path=pg_catalog,pg_temp');
    expect(sql.transactionSettings(5000, 30000)[0]).toBe(setLocalSearchPath);
  });
});

describe('the SQL the operator sends', () => {
  it('the checker finds what would resolve through the search_path', () => {
    expect(unqualifiedNames("SELECT has_table_privilege($1, c.oid, 'SELECT') FROM pg_class c WHERE c.relkind IN ('r') AND c.oid = 1::oid")).toEqual([
      'operator =',
      'operator IN',
      'function has_table_privilege',
      'relation pg_class',
      'type oid',
    ]);
    expect(unqualifiedNames("SELECT pg_catalog.now() FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.=) 'x = y'")).toEqual([]);
  });

  it('observes the server, the database and the role with nothing unqualified', async () => {
    const texts = await observationQueries();
    expect(texts.length).toBeGreaterThanOrEqual(8);
    for (const text of texts) expect({ text, unqualified: unqualifiedNames(text) }).toEqual({ text, unqualified: [] });
  });

  it('reads the role under the lock by an EXECUTE of a statement prepared with nothing unqualified', () => {
    for (const readPassword of [true, false]) {
      const { name, prepare } = roleStatement(readPassword);
      const header = `PREPARE ${name}(pg_catalog.name) AS `;
      expect(prepare.startsWith(header)).toBe(true);
      const text = prepare.slice(header.length);
      expect({ text, unqualified: unqualifiedNames(text) }).toEqual({ text, unqualified: [] });
      // The username is a literal there: escaped, never able to end the statement.
      expect(executeRoleStatement(readPassword, "x'); DROP ROLE y; --")).toBe(`EXECUTE ${name}('x''); DROP ROLE y; --')`);
    }
  });

  it('locks, drops and reassigns with nothing unqualified', () => {
    const texts = [
      sql.databasesWithDependentsOf,
      sql.ownsObjectsInCurrentDatabase,
      sql.heirInCurrentDatabase,
      sql.advisoryXactLock(1, 2),
      [sql.begin, ...sql.transactionSettings(5000, 30000)].join('; '),
    ];
    for (const text of texts) expect({ text, unqualified: unqualifiedNames(text) }).toEqual({ text, unqualified: [] });
  });

  it("observes, locks and drops a Database's objects with nothing unqualified", () => {
    const texts = [
      databaseSql.observeDatabase,
      databaseSql.observeOwnerRole,
      databaseSql.observeAdmin,
      databaseSql.serverVersion,
      databaseSql.advisoryLock(1, 2),
      databaseSql.advisoryUnlock(1, 2),
      databaseSql.dropDatabase('shop'),
    ];
    for (const text of texts) expect({ text, unqualified: unqualifiedNames(text) }).toEqual({ text, unqualified: [] });
  });
});
