import { describe, expect, it } from '@jest/globals';
import { OwnWrites } from '../../../src/kubernetes/own-writes.js';

describe('OwnWrites', () => {
  it('drops the echo of our write, whether it arrives after the response or before it', () => {
    const own = new OwnWrites();
    const foreign: string[] = [];
    own.begin('ns/a');
    own.end('ns/a', '10');
    own.observe('ns/a', '10', () => foreign.push('late echo'));
    own.begin('ns/b');
    own.observe('ns/b', '20', () => foreign.push('early echo'));
    own.end('ns/b', '20');
    expect(foreign).toEqual([]);
  });

  it("releases someone else's change, at once or when our write returns", () => {
    const own = new OwnWrites();
    const foreign: string[] = [];
    own.observe('ns/a', '5', () => foreign.push('edit of a'));
    own.begin('ns/b');
    own.observe('ns/b', '7', () => foreign.push('edit of b during our write'));
    expect(foreign).toEqual(['edit of a']);
    own.end('ns/b', '8');
    expect(foreign).toEqual(['edit of a', 'edit of b during our write']);
  });

  it('releases parked events if our write failed', () => {
    const own = new OwnWrites();
    const foreign: string[] = [];
    own.begin('ns/a');
    own.observe('ns/a', '3', () => foreign.push('x'));
    own.end('ns/a', undefined);
    expect(foreign).toEqual(['x']);
  });

  it('keeps nothing of a write once the cache holds its version (the informer then drops the echo itself)', () => {
    const own = new OwnWrites();
    const foreign: string[] = [];
    own.begin('ns/a');
    own.end('ns/a', '10');
    own.stored('ns/a', '10');
    // Were the echo to arrive anyway, nothing remembers it: the entry is gone, not kept per Secret forever.
    own.observe('ns/a', '10', () => foreign.push('echo'));
    expect(foreign).toEqual(['echo']);
    // Another version, or a write still in flight, is left as it was.
    own.begin('ns/b');
    own.end('ns/b', '20');
    own.stored('ns/b', '19');
    own.observe('ns/b', '20', () => foreign.push('b'));
    expect(foreign).toEqual(['echo']);
  });
});
