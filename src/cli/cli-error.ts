import { printable } from '../client/printable.js';

/** The command line was not understood (exit 2); `command` names the help to point at. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(printable(message));
    this.name = 'UsageError';
  }
}

/**
 * The person stopped the command at a prompt, before anything was written: Ctrl-C or Ctrl-D (exit
 * 130, as a shell reports an interrupted command), or "no" to a confirmation (exit 1).
 */
export class Aborted extends Error {
  constructor(readonly exitCode: 1 | 130) {
    super('aborted: nothing was changed');
    this.name = 'Aborted';
  }
}
