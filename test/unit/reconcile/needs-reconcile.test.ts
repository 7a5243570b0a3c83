import { describe, expect, it } from '@jest/globals';
import type { Database } from '../../../src/api/database.js';
import { shardKeyLabel } from '../../../src/api/names.js';
import { databaseChangeEffects } from '../../../src/reconcile/needs-reconcile.js';

const database = (resourceVersion: string, labels: Record<string, string> = {}, users = 1): Database => ({
  metadata: { name: 'shop', namespace: 'shop', uid: 'uid', generation: 1, resourceVersion, labels },
  spec: { serverRef: { name: 'main' } },
  status: { databaseName: 'shop_4553', users },
});

describe('databaseChangeEffects', () => {
  it('asks nothing of its own status writes but the server count', () => {
    expect(databaseChangeEffects(database('1'), database('2', {}, 2))).toEqual({ database: false, users: false, server: true });
  });

  it('a shard key added, changed or removed (ADR 25): the Database again (the shard it joins takes it) and its users (do they still match it?)', () => {
    for (const [before, after] of [
      [{}, { [shardKeyLabel]: 'shard1' }],
      [{ [shardKeyLabel]: 'shard1' }, { [shardKeyLabel]: 'shard2' }],
      [{ [shardKeyLabel]: 'shard1' }, {}],
    ]) {
      expect(databaseChangeEffects(database('1', before), database('2', after))).toEqual({ database: true, users: true, server: false });
    }
    expect(databaseChangeEffects(database('1', { team: 'a' }), database('2', { team: 'b' }))).toEqual({ database: false, users: false, server: false });
  });
});
