import { describe, expect, it } from '@jest/globals';
import { ownershipProblem } from '../../../src/model/guards.js';
import type { ObservedRole } from '../../../src/model/observed.js';
import { formatMarker } from '../../../src/model/ownership-marker.js';
import { marker, observation, observedDatabase, observedRole } from './builders.js';

describe('ownershipProblem', () => {
  const table: [string, [string, ObservedRole | undefined], string | undefined][] = [
    ['an absent role is ours to create', ['my_app_4553_rw', undefined], undefined],
    ['a role with our marker is ours', ['my_app_4553_rw', observedRole()], undefined],
    ["the connection's own role is never managed", ['postgres', undefined], "the connection's own admin role"],
    ['a role without a comment is not ours', ['u_123456', observedRole({ comment: null })], 'not managed by dbuser-operator'],
    [
      'a comment that merely looks similar is not ours',
      ['u_123456', observedRole({ comment: 'managed by dbuser-operator: {bad json' })],
      'not managed by dbuser-operator',
    ],
    ['a superuser is never managed', ['u_123456', observedRole({ attributes: { ...observedRole().attributes, superuser: true } })], 'superuser'],
    [
      'another DatabaseUser owns it',
      ['u_123456', observedRole({ comment: formatMarker({ ...marker, name: 'other', uid: 'uid-2' }) })],
      'managed by DatabaseUser shop/other;',
    ],
    [
      'another cluster owns it',
      ['u_123456', observedRole({ comment: formatMarker({ ...marker, cluster: 'cluster-2', uid: 'uid-2' }) })],
      'managed by DatabaseUser shop/my-app-rw in another cluster',
    ],
    [
      'an earlier DatabaseUser of the same name in this cluster is adopted',
      ['u_123456', observedRole({ comment: formatMarker({ ...marker, uid: 'uid-0' }) })],
      undefined,
    ],
  ];

  it.each(table)('%s', (_case, args, problem) => {
    const [username, role] = args;
    const result = ownershipProblem(username, observation({ role }), marker);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(problem);
  });
});

describe('ownershipProblem of the group roles', () => {
  it('refuses a group-named role that is not ours', () => {
    const database = observedDatabase();
    database.groups.readwrite = { exists: true, comment: 'someone else', privilegesComplete: true };
    expect(ownershipProblem('my_app_4553_rw', observation({ database }), marker)).toContain('readwrite group role');
    expect(ownershipProblem('my_app_4553_rw', observation(), marker)).toBeUndefined();
  });
});
