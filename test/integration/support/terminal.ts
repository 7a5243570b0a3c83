import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../harness/wait.js';

const execFileAsync = promisify(execFile);

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A program on a real pseudo-terminal: a detached tmux session (200x50) on a tmux server of its
 * own (its socket in a temporary directory, removed on close), driven with send-keys and read with
 * capture-pane, as a person would see it. When the program ends, the pane shows "[exit N]".
 */
export class Terminal {
  private readonly session = 'cli';

  private constructor(private readonly socketDir: string) {}

  static async start(command: readonly string[], env: NodeJS.ProcessEnv): Promise<Terminal> {
    const terminal = new Terminal(mkdtempSync(path.join(tmpdir(), 'dbuser-tmux-')));
    const script = `${command.map(shellQuote).join(' ')}; echo "[exit $?]"; exec sleep 600`;
    await terminal.tmux(['new-session', '-d', '-s', terminal.session, '-x', '200', '-y', '50', script], env);
    return terminal;
  }

  private async tmux(args: string[], env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): Promise<string> {
    const { stdout } = await execFileAsync('tmux', ['-S', path.join(this.socketDir, 'socket'), ...args], { env });
    return stdout;
  }

  /** What the screen shows now (trailing blank lines dropped). */
  async screen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-t', this.session])).trimEnd();
  }

  /** The screen with lines the terminal wrapped joined again: a long message reads as printed. */
  async joinedScreen(): Promise<string> {
    return (await this.tmux(['capture-pane', '-p', '-J', '-t', this.session])).trimEnd();
  }

  /** Waits until the screen shows `text` at least `times` times; returns the screen. */
  async waitForText(text: string, times = 1, timeoutMs = 30_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(
        `the terminal to show ${JSON.stringify(text)}${times > 1 ? ` ${times} times` : ''}`,
        async () => {
          last = await this.screen();
          return last.split(text).length - 1 >= times ? last : undefined;
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the screen:\n${last}`, { cause: error });
    }
  }

  /** Types text literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', this.session, '-l', text]);
  }

  /** Presses keys by tmux name: Enter, BSpace, C-c. */
  async press(...keys: string[]): Promise<void> {
    await this.tmux(['send-keys', '-t', this.session, ...keys]);
  }

  /** Waits for the program to end; its exit code and the final screen. */
  async exit(timeoutMs = 60_000): Promise<{ code: number; screen: string }> {
    const screen = await this.waitForText('[exit ', 1, timeoutMs);
    const code = Number(/\[exit (\d+)\]/.exec(screen)?.[1] ?? Number.NaN);
    return { code, screen };
  }

  async close(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
