import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Aborted } from './cli-error.js';

/** A terminal stdin (process.stdin when it is a TTY). */
export interface TerminalInput extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/** What one key press (or pasted run of characters) does to the line being typed. */
export type KeyEffect = { kind: 'text'; value: string } | { kind: 'submit'; value: string } | { kind: 'abort' };

type EscapeState = 'none' | 'escape' | 'csi' | 'ss3';

/**
 * The line editor of a hidden prompt, free of I/O: Enter submits, Backspace deletes a character,
 * Ctrl-U clears, Ctrl-C and Ctrl-D on an empty line abort (both exit 130: the person stopped, as a
 * shell's Ctrl-C); cursor keys and other escape sequences are ignored, other control characters dropped.
 */
export class LineEditor {
  private value = '';
  private escape: EscapeState = 'none';

  feed(chunk: string): KeyEffect {
    for (const char of chunk) {
      if (this.escape !== 'none') {
        this.skipEscape(char);
        continue;
      }
      switch (char) {
        case '\r':
        case '\n':
          return { kind: 'submit', value: this.value };
        case '\x03':
          return { kind: 'abort' };
        case '\x04':
          if (this.value === '') return { kind: 'abort' };
          break;
        case '\x7f':
        case '\b':
          this.value = Array.from(this.value).slice(0, -1).join('');
          break;
        case '\x15':
          this.value = '';
          break;
        case '\x1b':
          this.escape = 'escape';
          break;
        default:
          if (char >= ' ') this.value += char;
      }
    }
    return { kind: 'text', value: this.value };
  }

  private skipEscape(char: string): void {
    if (this.escape === 'escape') this.escape = char === '[' ? 'csi' : char === 'O' ? 'ss3' : 'none';
    else if (this.escape === 'ss3') this.escape = 'none';
    else if (char >= '\x40' && char <= '\x7e') this.escape = 'none';
  }
}

/**
 * Asks on the terminal and reads one line in raw mode. With echo off nothing of what is typed is
 * shown (not even stars); with echo on the characters are shown as typed.
 */
export function askOnTerminal(input: TerminalInput, output: Writable, prompt: string, options: { echo: boolean }): Promise<string> {
  const setRawMode = input.setRawMode?.bind(input);
  if (!input.isTTY || !setRawMode) throw new Error('askOnTerminal needs a terminal');
  output.write(prompt);
  const editor = new LineEditor();
  setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let shown = '';
    const finish = (settle: () => void): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      setRawMode(false);
      input.pause();
      output.write('\n');
      settle();
    };
    // The terminal went away: as Ctrl-D, nobody is there to answer.
    const onEnd = (): void => {
      finish(() => {
        reject(new Aborted(130));
      });
    };
    const onData = (chunk: string): void => {
      const effect = editor.feed(chunk);
      if (effect.kind === 'abort') {
        finish(() => {
          reject(new Aborted(130));
        });
        return;
      }
      if (options.echo) {
        const now = effect.value;
        const common = commonPrefixLength(shown, now);
        output.write('\b \b'.repeat(Array.from(shown.slice(common)).length) + now.slice(common));
        shown = now;
      }
      if (effect.kind === 'submit') {
        finish(() => {
          resolve(effect.value);
        });
      }
    };
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

/** The first line of a non-interactive stdin (without its line ending); undefined if stdin is empty. */
export async function readFirstLine(input: Readable): Promise<string | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
    input.destroy();
  }
}
