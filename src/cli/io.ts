import type { Writable } from 'node:stream';
import type { TerminalInput } from './terminal-input.js';

/** The process's streams and environment, passed in so that commands never reach for globals. */
export interface CliIo {
  stdin: TerminalInput;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}
