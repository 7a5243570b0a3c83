import { describe, expect, it } from '@jest/globals';
import { groupOwnershipProblem, roleOwnershipProblem } from '../../../src/reconcile/guards.js';
import { formatMarker } from '../../../src/postgres/ownership-marker.js';
import { marker, observedDatabase, observedRole, server } from './builders.js';

describe('roleOwnershipProblem', () => {
  const table: [string, Parameters<typeof roleOwnershipProblem>, string | undefined][] = [
    ['an absent role is ours to create', ['my_app_4553_rw', undefined, server, marker], undefined],
    ['a role with our marker is ours', ['my_app_4553_rw', observedRole(), server, marker], undefined],
    ["the connection's own role is never managed", ['postgres', undefined, server, marker], "the connection's own admin role"],
    ['a role without a comment is not ours', ['u_123456', observedRole({ comment: null }), server, marker], 'not managed by dbuser-operator'],
    ['a comment that merely looks similar is not ours', ['u_123456', observedRole({ comment: 'managed by dbuser-operator: {bad json' }), server, marker], 'not managed by dbuser-operator'],
    ['a superuser is never managed', ['u_123456', observedRole({ attributes: { ...observedRole().attributes, superuser: true } }), server, marker], 'superuser'],
    [
      'another DatabaseUser owns it',
      ['u_123456', observedRole({ comment: formatMarker({ ...marker, name: 'other', uid: 'uid-2' }) }), server, marker],
      'managed by DatabaseUser shop/other;',
    ],
    [
      'another cluster owns it',
      ['u_123456', observedRole({ comment: formatMarker({ ...marker, cluster: 'cluster-2', uid: 'uid-2' }) }), server, marker],
      'managed by DatabaseUser shop/my-app-rw in another cluster',
    ],
    ['an earlier DatabaseUser of the same name in this cluster is adopted', ['u_123456', observedRole({ comment: formatMarker({ ...marker, uid: 'uid-0' }) }), server, marker], undefined],
  ];

  it.each(table)('%s', (_case, args, problem) => {
    const result = roleOwnershipProblem(...args);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe('groupOwnershipProblem', () => {
  it('refuses a group-named role that is not ours', () => {
    const database = observedDatabase();
    database.groups.readwrite = { exists: true, comment: 'someone else', privilegesComplete: true };
    expect(groupOwnershipProblem(database)).toContain('readwrite group role');
    expect(groupOwnershipProblem(observedDatabase())).toBeUndefined();
  });
});
