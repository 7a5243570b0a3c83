import type { Writable } from 'node:stream';
import type { TerminalInput } from './terminal-input.js';

/** The process's streams, environment and Ctrl-C, passed in so that commands never reach for globals. */
export interface CliIo {
  stdin: TerminalInput;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /**
   * Calls `handler` on the next Ctrl-C (SIGINT) instead of ending the process; returns how to stop
   * listening. A second Ctrl-C ends the process as usual.
   */
  onInterrupt: (handler: () => void) => () => void;
}
