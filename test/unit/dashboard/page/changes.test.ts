import { describe, expect, it } from '@jest/globals';
import { describeChanges } from '../../../../src/dashboard/page/changes.js';
import { userRow } from './user-row.js';

const row = userRow;

describe('describeChanges', () => {
  it('counts the first snapshot', () => {
    expect(describeChanges(undefined, [row('a_user'), row('b_user')])).toEqual(['2 database users listed.']);
    expect(describeChanges(undefined, [row('a_user')])).toEqual(['1 database user listed.']);
  });

  it('announces additions, readiness, refusals, deletions and removals; nothing when nothing changed', () => {
    const pending = row('new_user', { ready: 'Unknown', reason: '' });
    expect(describeChanges([], [pending])).toEqual(['User new_user added.']);
    expect(describeChanges([pending], [row('new_user')])).toEqual(['User new_user is ready.']);
    const refused = row('new_user', { ready: 'False', reason: 'RoleConflict', explanation: 'PostgreSQL already has a role with this name.' });
    expect(describeChanges([row('new_user')], [refused])).toEqual(['User new_user is not ready: PostgreSQL already has a role with this name.']);
    expect(describeChanges([row('old_user')], [row('old_user', { deleting: true })])).toEqual(['User old_user is being deleted.']);
    expect(describeChanges([row('old_user')], [])).toEqual(['User old_user removed.']);
    expect(describeChanges([row('same_user')], [row('same_user')])).toEqual([]);
  });

  it('says nothing about the users the person is acting on', () => {
    const quiet = new Set(['shop_owner']);
    expect(describeChanges([], [row('shop_owner', { ready: 'Unknown', reason: '' })], quiet)).toEqual([]);
    expect(describeChanges([row('shop_owner', { ready: 'False', reason: 'RoleConflict' })], [row('other_user')], quiet)).toEqual([
      'User other_user added and ready.',
    ]);
  });
});
