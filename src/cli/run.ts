import { parseInvocation, type Invocation } from './arguments.js';
import { messageOf, OperationFailed, StillPending } from '../client/operation-failed.js';
import { networkErrorCode } from '../runtime/network-error.js';
import { Aborted, UsageError } from './cli-error.js';
import type { CliIo } from './io.js';

export const exitCodes = { done: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Each command's module is loaded only when it runs: `--help` and `list` start without the rest. */
async function execute(invocation: Exclude<Invocation, { command: 'help' }>, io: CliIo): Promise<void> {
  switch (invocation.command) {
    case 'databases':
      return (await import('./databases-command.js')).runDatabases(invocation.target, invocation.output, io);
    case 'list':
      return (await import('./list-command.js')).runList(invocation.target, invocation.database, invocation.output, io);
    case 'create':
      return (await import('./create-command.js')).runCreate(invocation, io);
    case 'update-password':
      return (await import('./update-password-command.js')).runUpdatePassword(invocation, io);
    case 'delete':
      return (await import('./delete-command.js')).runDelete(invocation, io);
    case 'dashboard':
      return (await import('../dashboard/dashboard-command.js')).runDashboard(invocation, io);
  }
}

/** An unexpected error in a sentence: the API server's answer, or why it could not be reached. */
async function describeFailure(error: unknown): Promise<string> {
  const { KubeApiError } = await import('../kube/api-error.js');
  if (error instanceof KubeApiError) {
    return `the API server refused ${error.method} ${error.path}: ${String(error.status)} ${error.reason}: ${error.serverMessage}`;
  }
  const code = networkErrorCode(error);
  if (code !== undefined) return `cannot reach the API server: ${error instanceof Error ? error.message : code}`;
  return messageOf(error);
}

/** Runs `kubectl dbuser <args>`; resolves with the exit code. Results go to stdout, everything else to stderr. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const invocation = parseInvocation(args);
    if (invocation.command === 'help') {
      io.stdout.write(invocation.text);
      return exitCodes.done;
    }
    await execute(invocation, io);
    return exitCodes.done;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\nSee "kubectl dbuser ${error.command ? `${error.command} ` : ''}--help".\n`);
      return exitCodes.usage;
    }
    if (error instanceof Aborted) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    // Ctrl-C during a wait: not an error, but the person must know what stays and what follows.
    if (error instanceof StillPending && error.how === 'interrupted') {
      io.stderr.write(`interrupted: ${error.message}\n`);
      return exitCodes.interrupted;
    }
    io.stderr.write(`error: ${error instanceof OperationFailed ? error.message : await describeFailure(error)}\n`);
    return exitCodes.failed;
  }
}
