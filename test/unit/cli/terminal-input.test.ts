import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { Aborted } from '../../../src/cli/cli-error.js';
import { askOnTerminal, type TerminalInput } from '../../../src/cli/terminal-input.js';

/** A terminal's stdin in memory: what is written to it arrives as typed keys. */
function fakeTerminal(): { input: TerminalInput & PassThrough; raw: boolean[] } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (mode: boolean) => {
      raw.push(mode);
    },
  });
  return { input, raw };
}

async function answer(keys: string | undefined): Promise<string | Aborted> {
  const { input, raw } = fakeTerminal();
  const asked = askOnTerminal(input, new PassThrough(), 'Password: ', { echo: false });
  if (keys === undefined) input.end();
  else input.write(keys);
  try {
    return await asked;
  } catch (error) {
    if (!(error instanceof Aborted)) throw error;
    expect(raw).toEqual([true, false]);
    return error;
  }
}

describe('askOnTerminal', () => {
  it('resolves with the line on Enter', async () => {
    expect(await answer('secret\r')).toBe('secret');
  });

  it.each([
    ['Ctrl-C', '\x03'],
    ['Ctrl-D on an empty line', '\x04'],
    ['the terminal going away', undefined],
  ])('%s aborts with exit 130 and "aborted: nothing was changed", raw mode off again', async (_label, keys) => {
    const aborted = await answer(keys);
    expect(aborted).toBeInstanceOf(Aborted);
    expect(aborted).toMatchObject({ exitCode: 130, message: 'aborted: nothing was changed' });
  });
});
