import { describe, expect, it } from '@jest/globals';
import { ConnectionProtection } from '../../../src/reconcile/connection-protection.js';
import { SecretIndex } from '../../../src/reconcile/secret-index.js';

// Which connection Secrets are in use, and the release of the in-use finalizer once none is.

const named = (secretName: string) => ({ username: 'some_user', connection: { secretName } });

describe('SecretIndex', () => {
  it('counts a connection Secret in use while any user names it, and only one its spec names', () => {
    const index = new SecretIndex({ namespace: 'operator', name: 'default-connection' });
    index.set('shop', 'a', named('shop-admin'));
    index.set('shop', 'b', named('shop-admin'));
    index.set('shop', 'c', { username: 'on_default' });

    expect(index.isConnectionInUse('shop/shop-admin')).toBe(true);
    // The default connection is a dependency (its changes enqueue the user) but never "in use".
    expect(index.usersOf('operator/default-connection')).toEqual(['shop/c']);
    expect(index.isConnectionInUse('operator/default-connection')).toBe(false);

    expect(index.remove('shop/a')).toBe('shop/shop-admin');
    expect(index.isConnectionInUse('shop/shop-admin')).toBe(true);
    expect(index.remove('shop/b')).toBe('shop/shop-admin');
    expect(index.isConnectionInUse('shop/shop-admin')).toBe(false);
    expect(index.usersOf('shop/shop-admin')).toEqual([]);
  });

  it('reports the connection a user named before when its spec names another or none', () => {
    const index = new SecretIndex(undefined);
    expect(index.set('shop', 'a', named('old-admin'))).toBeUndefined();
    expect(index.set('shop', 'a', named('old-admin'))).toBeUndefined();
    expect(index.set('shop', 'a', { username: 'some_user' })).toBe('shop/old-admin');
    expect(index.isConnectionInUse('shop/old-admin')).toBe(false);
    expect(index.set('shop', 'a', 'not an object')).toBeUndefined();
    expect(index.usersOf('shop/a-credentials')).toEqual(['shop/a']);
  });
});

describe('ConnectionProtection', () => {
  function setup(inUse: boolean) {
    const released: string[] = [];
    const protection = new ConnectionProtection({
      isInUse: () => inUse,
      release: (namespace, name) => {
        released.push(`${namespace}/${name}`);
        return Promise.resolve();
      },
    });
    return { protection, released };
  }

  it('keeps the finalizer of a Secret some user still names', async () => {
    const { protection, released } = setup(true);
    expect(await protection.reconcile('shop/shop-admin')).toEqual({ kind: 'done' });
    expect(released).toEqual([]);
  });

  it('releases a Secret no user names any more', async () => {
    const { protection, released } = setup(false);
    expect(await protection.reconcile('shop/shop-admin')).toEqual({ kind: 'done' });
    expect(released).toEqual(['shop/shop-admin']);
  });
});
