import { describe, expect, it } from '@jest/globals';
import { LineEditor } from '../../../src/cli/terminal-input.js';

function typed(...chunks: string[]) {
  const editor = new LineEditor();
  let effect = editor.feed('');
  for (const chunk of chunks) effect = editor.feed(chunk);
  return effect;
}

describe('LineEditor (the hidden prompt)', () => {
  it('submits on Enter, whether typed key by key or pasted', () => {
    expect(typed('s', 'e', 'c', '\r')).toEqual({ kind: 'submit', value: 'sec' });
    expect(typed('pasted password\rignored')).toEqual({ kind: 'submit', value: 'pasted password' });
  });

  it('deletes with Backspace (DEL or BS), clears with Ctrl-U', () => {
    expect(typed('abcX\x7f\r')).toEqual({ kind: 'submit', value: 'abc' });
    expect(typed('ab\b\bxy\r')).toEqual({ kind: 'submit', value: 'xy' });
    expect(typed('wrong\x15right\r')).toEqual({ kind: 'submit', value: 'right' });
    expect(typed('\x7f\x7fa\r')).toEqual({ kind: 'submit', value: 'a' });
  });

  it('ignores cursor keys and other escape sequences, and control characters', () => {
    expect(typed('a\x1b[D\x1b[3~b\x1bOAc\t\r')).toEqual({ kind: 'submit', value: 'abc' });
  });

  it('aborts on Ctrl-C, and on Ctrl-D only when the line is empty', () => {
    expect(typed('abc\x03')).toEqual({ kind: 'abort' });
    expect(typed('\x04')).toEqual({ kind: 'abort' });
    expect(typed('a\x04\r')).toEqual({ kind: 'submit', value: 'a' });
  });

  it('keeps typing across chunks until Enter', () => {
    expect(typed('half', ' of it')).toEqual({ kind: 'text', value: 'half of it' });
  });
});
