import { printable } from './printable.js';

/**
 * An operation on DatabaseUsers (create, change a password, delete) was refused or failed; the
 * message says why and what was changed. The command line exits 1 with it, the dashboard answers 409.
 */
export class OperationFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    // It names usernames and DatabaseUsers as typed, and the operator's messages: printable only.
    super(printable(message), options);
    this.name = 'OperationFailed';
  }
}

/** What to tell a person of any error: its message (no class names). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A change is written but the operator has not finished it: the wait timed out, or the person stopped
 * it (Ctrl-C). What was written stays and the operator goes on; the message says what will happen.
 * `generatedPassword` is the new generated password when its Secret already holds it (shown once, as
 * when the change completes).
 */
export class StillPending extends OperationFailed {
  constructor(
    message: string,
    readonly how: 'timed-out' | 'interrupted',
    readonly generatedPassword?: string,
  ) {
    super(message);
    this.name = 'StillPending';
  }
}
