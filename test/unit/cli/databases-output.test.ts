import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { renderDatabases } from '../../../src/cli/databases-command.js';
import type { DatabaseView } from '../../../src/client/database-view.js';

const views: DatabaseView[] = [
  {
    name: 'my-app',
    databaseName: 'my_app_4553',
    server: 'shared',
    defaultUser: 'my_app_4553',
    users: 3,
    ready: 'True',
    reason: 'Reconciled',
    message: 'ok',
    deleting: false,
  },
  { name: 'new-one', databaseName: '', server: 'shared', defaultUser: '', users: undefined, ready: 'Unknown', reason: '', message: '', deleting: false },
];

describe('kubectl dbuser databases', () => {
  it("prints the provider's boxed table: NAME, DATABASE, SERVER, DEFAULT USER, USERS, READY, header centred", () => {
    expect(renderDatabases(views, 'table')).toBe(
      [
        '+---------+-------------+--------+--------------+-------+---------+',
        '|  NAME   |  DATABASE   | SERVER | DEFAULT USER | USERS |  READY  |',
        '+---------+-------------+--------+--------------+-------+---------+',
        '| my-app  | my_app_4553 | shared | my_app_4553  | 3     | True    |',
        '| new-one |             | shared |              |       | Unknown |',
        '+---------+-------------+--------+--------------+-------+---------+',
        '',
      ].join('\n'),
    );
  });

  it('-o wide adds the reason and the message', () => {
    const header = renderDatabases(views, 'wide').split('\n')[1] ?? '';
    expect(header.split('|').map((cell) => cell.trim())).toEqual(['', 'NAME', 'DATABASE', 'SERVER', 'DEFAULT USER', 'USERS', 'READY', 'REASON', 'MESSAGE', '']);
  });

  it('-o json and -o yaml give scripts the same records', () => {
    const json = JSON.parse(renderDatabases(views, 'json')) as unknown[];
    expect(json[0]).toEqual({
      name: 'my-app',
      databaseName: 'my_app_4553',
      server: 'shared',
      defaultUser: 'my_app_4553',
      users: 3,
      ready: 'True',
      reason: 'Reconciled',
      message: 'ok',
    });
    expect(json[1]).toMatchObject({ users: null });
    expect(load(renderDatabases(views, 'yaml'))).toEqual(json);
  });
});
