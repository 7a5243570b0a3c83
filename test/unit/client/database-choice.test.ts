import { describe, expect, it } from '@jest/globals';
import type { Database } from '../../../src/api/database.js';
import { chooseDatabase, DatabaseNotChosen, placeNewUser } from '../../../src/client/database-choice.js';
import { inCreationOrder, usersOfDatabase, viewDatabase, type DatabaseView } from '../../../src/client/database-view.js';
import { plainNewUserRequest } from '../../../src/client/new-user.js';

function database(name: string, databaseName: string, createdAt = '2026-01-01T10:00:00Z'): Database {
  return {
    metadata: { name, creationTimestamp: createdAt },
    spec: { serverRef: { name: 'shared' } },
    status: {
      databaseName,
      server: 'shared',
      defaultUser: { name, username: databaseName },
      users: 3,
      conditions: [{ type: 'Ready', status: 'True', reason: 'Reconciled', message: 'ok', lastTransitionTime: '2026-01-01T10:00:01Z' }],
    },
  };
}

const myApp = viewDatabase(database('my-app', 'my_app_4553'));
const reports = viewDatabase(database('reports', 'reports_0042'));

function problemOf(databases: readonly DatabaseView[], given: string | undefined): string {
  try {
    chooseDatabase('shop', databases, given);
  } catch (error) {
    if (error instanceof DatabaseNotChosen) return `${error.problem.kind}: ${error.message}`;
    throw error;
  }
  throw new Error('chosen');
}

describe('viewDatabase', () => {
  it('reads the status: what --database takes, the database, its server, default user, users and readiness', () => {
    expect(myApp).toEqual({
      name: 'my-app',
      databaseName: 'my_app_4553',
      server: 'shared',
      defaultUser: 'my_app_4553',
      users: 3,
      ready: 'True',
      reason: 'Reconciled',
      message: 'ok',
      deleting: false,
    });
  });

  it('before the operator has written a status: what the spec asks for, not ready yet', () => {
    expect(viewDatabase({ metadata: { name: 'new' }, spec: { serverRef: { name: 's1' }, databaseName: 'new_db_1' } })).toMatchObject({
      databaseName: 'new_db_1',
      server: 's1',
      defaultUser: '',
      users: undefined,
      ready: 'Unknown',
    });
    expect(viewDatabase({ metadata: { name: 'odd' }, spec: 'not an object' })).toMatchObject({ databaseName: '', server: '' });
  });

  it('lists Databases as they were created, then by name', () => {
    const order = inCreationOrder([
      database('b', 'b_0001', '2026-01-01T10:00:02Z'),
      database('c', 'c_0001', '2026-01-01T10:00:01Z'),
      database('a', 'a_0001', '2026-01-01T10:00:02Z'),
    ]).map((entry) => entry.metadata.name);
    expect(order).toEqual(['c', 'a', 'b']);
  });

  it("a Database's users are those whose databaseRef names it", () => {
    const users = [
      { metadata: { name: 'my-app' }, spec: { username: 'my_app_4553', databaseRef: { name: 'my-app' } } },
      { metadata: { name: 'rw' }, spec: { username: 'my_app_4553_rw', databaseRef: { name: 'my-app' } } },
      { metadata: { name: 'other' }, spec: { username: 'reports_0042_rw', databaseRef: { name: 'reports' } } },
      { metadata: { name: 'own' }, spec: { username: 'own_user', connection: { secretName: 'pg' } } },
    ];
    expect(usersOfDatabase(users, 'my-app').map((user) => user.metadata.name)).toEqual(['my-app', 'rw']);
  });
});

describe('chooseDatabase', () => {
  it('the one named, among several', () => {
    expect(chooseDatabase('shop', [myApp, reports], 'reports')).toEqual({ kind: 'database', database: reports, explicit: true });
  });

  it("the namespace's only Database when none is named", () => {
    expect(chooseDatabase('shop', [myApp], undefined)).toEqual({ kind: 'database', database: myApp, explicit: false });
  });

  it('no Database at all: none, so the commands act as before Databases', () => {
    expect(chooseDatabase('shop', [], undefined)).toEqual({ kind: 'none' });
  });

  it('several and none named: refused, listing them', () => {
    expect(problemOf([myApp, reports], undefined)).toBe(
      'several: namespace "shop" has 2 Databases: choose one with --database: "my-app" (my_app_4553), "reports" (reports_0042)',
    );
  });

  it('a name that is not there: refused, saying which there are', () => {
    expect(problemOf([myApp, reports], 'my_app_4553')).toBe(
      'not-found: Database "my_app_4553" not found in namespace "shop" (its Databases: "my-app" (my_app_4553), "reports" (reports_0042))',
    );
    expect(problemOf([], 'my-app')).toBe('not-found: Database "my-app" not found in namespace "shop" (it has none)');
  });
});

describe('placeNewUser', () => {
  const request = { ...plainNewUserRequest('my_app_4553_rw') };

  it('on a Database: databaseRef to the only one, or to the one --database names; never a PostgreSQL database or connection', () => {
    expect(placeNewUser('shop', [myApp], request)).toMatchObject({ databaseRef: 'my-app', database: undefined, connection: undefined });
    expect(placeNewUser('shop', [myApp, reports], { ...request, database: 'reports' })).toMatchObject({ databaseRef: 'reports', database: undefined });
  });

  it('several Databases and none named: refused', () => {
    expect(() => placeNewUser('shop', [myApp, reports], request)).toThrow(DatabaseNotChosen);
  });

  it('without Databases, or with --connection: as before, --database naming the PostgreSQL database', () => {
    expect(placeNewUser('shop', [], { ...request, database: 'shop' })).toMatchObject({ databaseRef: undefined, database: 'shop' });
    expect(placeNewUser('shop', [myApp], { ...request, connection: 'pg-admin', database: 'shop' })).toMatchObject({
      databaseRef: undefined,
      connection: 'pg-admin',
      database: 'shop',
    });
  });
});
