import { describe, expect, it } from '@jest/globals';
import { noticeAfter, noticeText, type Notice } from '../../../../src/dashboard/page/notices.js';
import { userRow } from './user-row.js';

const row = userRow;

describe('the notice of the person’s own action', () => {
  const created: Notice = { kind: 'created', username: 'my_user' };

  it('says what was done', () => {
    expect(noticeText(created)).toBe('User my_user created.');
    expect(noticeText({ kind: 'reset', username: 'my_user' })).toBe('The password of my_user was reset.');
    expect(noticeText({ kind: 'deleted', username: 'my_user' })).toBe('User my_user deleted.');
  });

  it('"created" waits for a table that lags behind, holds while the user is there, and goes once it is not', () => {
    expect(noticeAfter(created, [row('other_user')])).toEqual(created);
    const seen = noticeAfter(created, [row('my_user')]);
    expect(seen).toEqual({ ...created, seen: true });
    if (!seen) throw new Error('unreachable');
    expect(noticeAfter(seen, [row('my_user')])).toBe(seen);
    expect(noticeAfter(seen, [row('my_user', { deleting: true })])).toBeUndefined();
    expect(noticeAfter(seen, [row('my_user', { ready: 'False', reason: 'ServerUnavailable' })])).toBeUndefined();
    expect(noticeAfter(seen, [])).toBeUndefined();
  });

  it('"deleted" holds while the user is gone or going, and goes when a user of that name is back', () => {
    const deleted: Notice = { kind: 'deleted', username: 'my_user' };
    expect(noticeAfter(deleted, [row('my_user', { deleting: true })])).toBe(deleted);
    expect(noticeAfter(deleted, [])).toBe(deleted);
    expect(noticeAfter(deleted, [row('my_user', { ready: 'Unknown', reason: '' })])).toBeUndefined();
  });
});
