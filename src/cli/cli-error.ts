/**
 * Text shown back to the person, with control, format and lone surrogate characters escaped as
 * \u{…}: an argument echoed raw could move the cursor, clear the terminal or reorder the line
 * (fuzzing finding cli-error-echoes-control-characters).
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`);
}

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

/** The command ran and was refused or failed (exit 1); the message says why and what changed. */
export class CommandFailed extends Error {
  constructor(message: string, options?: ErrorOptions) {
    // It names usernames and DatabaseUsers as typed, and the operator's messages: printable only.
    super(printable(message), options);
    this.name = 'CommandFailed';
  }
}

/** The person stopped the command at a prompt (Ctrl-C: exit 130, Ctrl-D: exit 1); nothing was changed. */
export class Aborted extends Error {
  constructor(readonly exitCode: 1 | 130) {
    super('aborted: nothing was changed');
    this.name = 'Aborted';
  }
}

/** What to print of any error: its message (people read it; no class names). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
