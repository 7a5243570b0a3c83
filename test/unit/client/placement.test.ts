import { describe, expect, it } from '@jest/globals';
import type { DatabaseUser } from '../../../src/api/database-user.js';
import { placementConflict, PlacementRefused } from '../../../src/client/placement.js';

function user(name: string, username: string, extra: { connection?: string; database?: string; deleting?: boolean } = {}): DatabaseUser {
  return {
    metadata: { name, ...(extra.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      username,
      ...(extra.connection === undefined ? {} : { connection: { secretName: extra.connection } }),
      ...(extra.database === undefined ? {} : { databaseRef: { name: extra.database } }),
    },
  };
}

const wanted = { namespace: 'shop', name: 'my-user', username: 'my_user', connection: undefined, database: undefined };

describe('placementConflict', () => {
  it('nothing in the way', () => {
    expect(placementConflict([user('other', 'other_user')], wanted)).toBeUndefined();
  });

  it('the same username on the same connection: the user exists, whatever name was asked for (--name would not help)', () => {
    const existing = [user('my-user', 'my_user')];
    const conflict = { kind: 'user-exists', namespace: 'shop', username: 'my_user', name: 'my-user', deleting: false };
    expect(placementConflict(existing, wanted)).toEqual(conflict);
    expect(placementConflict(existing, { ...wanted, name: 'another-name' })).toEqual(conflict);
    expect(new PlacementRefused(conflict as never).message).toBe(
      'user "my_user" already exists in namespace "shop" (DatabaseUser "my-user"): choose another username, or give it a new password with "kubectl dbuser update-password my_user -n shop"; nothing was changed',
    );
  });

  it('on a Database: the same username of the same Database exists; of another Database or on a connection, only the name is in the way', () => {
    const onDatabase = { ...wanted, database: 'my-app' };
    expect(placementConflict([user('rw', 'my_user', { database: 'my-app' })], onDatabase)).toMatchObject({ kind: 'user-exists', name: 'rw' });
    expect(placementConflict([user('rw', 'my_user', { database: 'reports' })], onDatabase)).toBeUndefined();
    expect(placementConflict([user('rw', 'my_user')], onDatabase)).toBeUndefined();
    expect(placementConflict([user('my-user', 'my_user')], onDatabase)).toMatchObject({ kind: 'name-taken' });
    expect(placementConflict([user('rw', 'my_user', { database: 'my-app' })], wanted)).toBeUndefined();
  });

  it('a user still being deleted says so', () => {
    const conflict = placementConflict([user('my-user', 'my_user', { deleting: true })], wanted);
    expect(conflict).toMatchObject({ kind: 'user-exists', deleting: true });
    expect(new PlacementRefused(conflict ?? (undefined as never)).message).toBe(
      'user "my_user" is being deleted in namespace "shop" (DatabaseUser "my-user"): create it again once it is gone; nothing was changed',
    );
  });

  it('the name held by another username (or by this username on another connection): --name helps', () => {
    const other = placementConflict([user('my-user', 'My_User')], wanted);
    expect(other).toEqual({ kind: 'name-taken', namespace: 'shop', username: 'my_user', name: 'my-user', takenBy: 'My_User' });
    expect(new PlacementRefused(other ?? (undefined as never)).message).toBe(
      'a DatabaseUser named "my-user" already exists in namespace "shop" (user "My_User"): choose another name with --name; nothing was changed',
    );
    expect(placementConflict([user('my-user', 'my_user', { connection: 'elsewhere' })], wanted)).toMatchObject({ kind: 'name-taken' });
    expect(placementConflict([user('my-user', 'my_user', { connection: 'elsewhere' })], { ...wanted, name: 'free' })).toBeUndefined();
  });
});
