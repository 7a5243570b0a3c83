import { describe, expect, it } from '@jest/globals';
import { viewDatabaseUser } from '../../../src/api/database-user-view.js';
import { refuseUnchangeable } from '../../../src/client/guards.js';

const protectedUser = viewDatabaseUser({ metadata: { name: 'my-app' }, spec: { username: 'my_app_4553', protected: true } });

describe('refuseUnchangeable', () => {
  it("a Database's default user: it goes only with its Database, so no unprotect command is offered", () => {
    expect(() => {
      refuseUnchangeable(protectedUser, 'shop', 'delete', 'my-app');
    }).toThrow(
      'user "my_app_4553" is the default user of Database "my-app": it is protected, cannot be deleted on its own, and goes only with its Database; nothing was changed',
    );
    expect(() => {
      refuseUnchangeable(protectedUser, 'shop', 'password', 'my-app');
    }).toThrow('cannot have its password changed or reset, and goes only with its Database');
  });

  it('another protected user: the unprotect command', () => {
    expect(() => {
      refuseUnchangeable(protectedUser, 'shop', 'delete');
    }).toThrow(`unprotect it first: kubectl patch dbu my-app -n shop --type merge -p '{"spec":{"protected":false}}'`);
  });

  it('an unprotected user with a valid spec passes', () => {
    expect(() => {
      refuseUnchangeable(viewDatabaseUser({ metadata: { name: 'rw' }, spec: { username: 'my_app_4553_rw' } }), 'shop', 'delete');
    }).not.toThrow();
  });
});
