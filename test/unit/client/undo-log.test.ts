import { describe, expect, it } from '@jest/globals';
import { UndoLog } from '../../../src/client/undo-log.js';

describe('UndoLog', () => {
  it('undoes newest first, goes on past a failure, and reports both', async () => {
    const order: string[] = [];
    const log = new UndoLog();
    log.add('the Secret', () => {
      order.push('secret');
      return Promise.resolve();
    });
    log.add('the DatabaseUser', () => {
      order.push('user');
      return Promise.reject(new Error('still being deleted'));
    });
    expect(await log.undoAll()).toEqual({ undone: ['the Secret'], failed: ['the DatabaseUser: still being deleted'] });
    expect(order).toEqual(['user', 'secret']);
    expect(await log.undoAll()).toEqual({ undone: [], failed: [] });
  });
});
