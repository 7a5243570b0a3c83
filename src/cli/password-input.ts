import type { Writable } from 'node:stream';
import { passwordPolicyViolation } from '../api/password-policy.js';
import type { PasswordSource } from './arguments.js';
import type { PasswordChoice } from '../client/password-choice.js';
import { OperationFailed } from '../client/operation-failed.js';
import { UsageError } from './cli-error.js';
import { askOnTerminal, readFirstLine, type TerminalInput } from './terminal-input.js';

export interface PasswordIo {
  stdin: TerminalInput;
  stderr: Writable;
}

const maxAttempts = 3;

function refuse(violation: string): OperationFailed {
  return new OperationFailed(`the password is refused: ${violation}; nothing was changed`);
}

/** A chosen password through the prompt: asked and confirmed with echo off, at most three tries. */
async function promptForPassword(io: PasswordIo): Promise<PasswordChoice> {
  for (let attempt = 1; ; attempt += 1) {
    const last = attempt === maxAttempts;
    const password = await askOnTerminal(io.stdin, io.stderr, 'Password (leave empty to generate one): ', { echo: false });
    if (password === '') return { kind: 'generate' };
    const violation = passwordPolicyViolation(password);
    if (violation !== undefined) {
      if (last) throw refuse(violation);
      io.stderr.write(`The password is refused: ${violation}. Try again.\n`);
      continue;
    }
    const confirmation = await askOnTerminal(io.stdin, io.stderr, 'Confirm password: ', { echo: false });
    if (confirmation === password) return { kind: 'chosen', password };
    if (last) throw new OperationFailed(`the passwords did not match ${maxAttempts} times; nothing was changed`);
    io.stderr.write('The passwords do not match. Try again.\n');
  }
}

/**
 * The password the person wants, from the source the flags chose. Without a terminal and without a
 * flag there is no one to ask: that is a usage error naming both flags.
 */
export async function obtainPassword(source: PasswordSource, io: PasswordIo, command: string): Promise<PasswordChoice> {
  if (source === 'generate') return { kind: 'generate' };
  if (source === 'stdin') {
    const line = await readFirstLine(io.stdin);
    if (line === undefined || line === '')
      throw new OperationFailed(
        '--password-stdin: stdin has no password on its first line (use --generate-password to have one generated); nothing was changed',
      );
    const violation = passwordPolicyViolation(line);
    if (violation !== undefined) throw refuse(violation);
    return { kind: 'chosen', password: line };
  }
  if (!io.stdin.isTTY) {
    throw new UsageError(
      'stdin is not a terminal, so there is no one to ask for a password: pass --password-stdin (read it from stdin) or --generate-password',
      command,
    );
  }
  return promptForPassword(io);
}
