import { describe, expect, it } from '@jest/globals';
import { otherUsersKey, rowsOfChoice, settleDatabaseChoice } from '../../../../src/dashboard/page/database-choice.js';
import type { DatabaseRow, UserRow } from '../../../../src/dashboard/wire.js';
import { userRow } from './user-row.js';

const row = (username: string, database?: string): UserRow => userRow(username, database === undefined ? {} : { database });

function database(name: string): DatabaseRow {
  return {
    name,
    databaseName: `${name}_1`,
    server: 's',
    defaultUser: `${name}_1`,
    users: 1,
    ready: 'True',
    reason: 'Reconciled',
    message: '',
    deleting: false,
  };
}

const users = [row('app_1', 'app'), row('app_1_rw', 'app'), row('shop_1', 'shop'), row('own_user')];
const shown = (choice: ReturnType<typeof settleDatabaseChoice>) => rowsOfChoice(users, choice).map((user) => user.username);

describe("the page's choice of a Database", () => {
  it('without Databases: every user, as before Databases', () => {
    const choice = settleDatabaseChoice([], undefined, users);
    expect(choice.key).toBeUndefined();
    expect(shown(choice)).toEqual(['app_1', 'app_1_rw', 'shop_1', 'own_user']);
  });

  it("the picked Database's users only; nothing picked or a Database that is gone: the first", () => {
    const databases = [database('app'), database('shop')];
    expect(shown(settleDatabaseChoice(databases, 'shop', users))).toEqual(['shop_1']);
    expect(shown(settleDatabaseChoice(databases, undefined, users))).toEqual(['app_1', 'app_1_rw']);
    expect(settleDatabaseChoice(databases, 'gone', users).database?.name).toBe('app');
  });

  it('the users on connections beside Databases have a choice of their own, offered only when there are some', () => {
    const databases = [database('app')];
    const choice = settleDatabaseChoice(databases, otherUsersKey, users);
    expect(choice).toMatchObject({ key: otherUsersKey, database: undefined, otherUsers: true });
    expect(shown(choice)).toEqual(['own_user']);
    const without = users.filter((user) => user.database !== undefined);
    expect(settleDatabaseChoice(databases, otherUsersKey, without)).toMatchObject({ key: 'app', otherUsers: false });
  });
});
