import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { NewUserRequest } from '../client/new-user.js';
import type { ClusterTarget } from '../client/session.js';
import { UsageError } from './cli-error.js';
import { commandHelp, commandNames, findCommand, globalFlags, mainHelp, type CommandSpec, type FlagSpec } from './commands.js';
import { parseTimerDuration } from '../api/duration.js';

/** Where to act: kubectl's global flags. */
export type Target = ClusterTarget;

/** prompt: ask on the terminal (the default); stdin: --password-stdin; generate: --generate-password. */
export type PasswordSource = 'prompt' | 'stdin' | 'generate';

export const listOutputs = ['table', 'wide', 'json', 'yaml'] as const;
export type ListOutput = (typeof listOutputs)[number];
const selectableOutputs: readonly string[] = listOutputs.filter((output) => output !== 'table');

export type Invocation =
  | { command: 'help'; text: string }
  | { command: 'databases'; target: Target; output: ListOutput }
  | { command: 'list'; target: Target; database: string | undefined; output: ListOutput }
  /** `database` is --database as typed: a Database of the namespace, or the PostgreSQL database (placeNewUser decides). */
  | ({ command: 'create'; target: Target; password: PasswordSource; timeoutMs: number } & Omit<NewUserRequest, 'databaseRef'>)
  | {
      command: 'update-password';
      target: Target;
      username: string;
      name: string | undefined;
      database: string | undefined;
      password: PasswordSource;
      timeoutMs: number;
    }
  | { command: 'delete'; target: Target; username: string; name: string | undefined; database: string | undefined; yes: boolean; timeoutMs: number }
  | { command: 'dashboard'; target: Target; port: number; open: boolean; timeoutMs: number };

const defaultTimeoutMs = 60_000;

/** Global flags that take a value: skipped while looking for the command word. */
const valueFlags = new Set(
  Object.entries(globalFlags as Record<string, FlagSpec>).flatMap(([flag, spec]) =>
    spec.type === 'string' ? [`--${flag}`, ...(spec.short ? [`-${spec.short}`] : [])] : [],
  ),
);

/** The index of the command word: the first argument that is neither a flag nor a global flag's value. */
function commandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--') return i + 1 < args.length ? i + 1 : -1;
    if (!arg.startsWith('-')) return i;
    if (valueFlags.has(arg)) i += 1;
  }
  return -1;
}

function parseOptions(args: string[], flags: Readonly<Record<string, FlagSpec>>, commandName: string | undefined) {
  const options: ParseArgsOptionsConfig = {};
  for (const [flag, spec] of Object.entries({ ...globalFlags, ...flags } as Record<string, FlagSpec>)) {
    options[flag] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs's messages name the flag ("Unknown option '--foo'"); its advice about '--' (after ". To
    // specify", or on lines of its own) does not apply here, and its line breaks would be shown escaped.
    const full = error instanceof Error ? error.message : String(error);
    const message =
      full
        .split('\n')
        .filter((line) => !line.startsWith('To specify'))
        .join(' ')
        .split('. To specify')[0] ?? full;
    throw new UsageError(message, commandName);
  }
}

function text(values: Record<string, unknown>, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

function flag(values: Record<string, unknown>, name: string): boolean {
  return values[name] === true;
}

function timeoutOf(values: Record<string, unknown>, command: string): number {
  const given = text(values, 'timeout');
  if (given === undefined) return defaultTimeoutMs;
  const ms = parseTimerDuration(given);
  if (ms === undefined) throw new UsageError(`--timeout ${given}: expected a duration such as 90s or 2m (1ms to 596h)`, command);
  return ms;
}

/** --port: 0 (the default) lets the system choose a free port. */
function portOf(values: Record<string, unknown>, command: string): number {
  const given = text(values, 'port');
  if (given === undefined) return 0;
  const port = /^\d{1,5}$/.test(given) ? Number(given) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port ${given}: expected a port number, 0 to 65535`, command);
  return port;
}

function outputOf(values: Record<string, unknown>, command: string): ListOutput {
  const output = text(values, 'output');
  if (output !== undefined && !selectableOutputs.includes(output)) throw new UsageError(`-o ${output}: expected wide, json or yaml`, command);
  return (output ?? 'table') as ListOutput;
}

function passwordSourceOf(values: Record<string, unknown>, command: string): PasswordSource {
  const stdin = flag(values, 'password-stdin');
  const generate = flag(values, 'generate-password');
  if (stdin && generate) throw new UsageError('--password-stdin and --generate-password exclude each other', command);
  return stdin ? 'stdin' : generate ? 'generate' : 'prompt';
}

function positionalsOf(spec: CommandSpec, positionals: string[]): string[] {
  if (positionals.length < spec.positionals.length) throw new UsageError(`missing <${spec.positionals[positionals.length] ?? ''}>: ${spec.usage}`, spec.name);
  if (positionals.length > spec.positionals.length)
    throw new UsageError(`unexpected argument "${positionals[spec.positionals.length] ?? ''}": ${spec.usage}`, spec.name);
  return positionals;
}

/** Turns the plugin's arguments (what follows `kubectl dbuser`) into what to do. Throws UsageError. */
export function parseInvocation(args: readonly string[]): Invocation {
  const at = commandIndex(args);
  const word = at === -1 ? undefined : args[at];
  if (word === undefined || word === 'help') {
    const rest = at === -1 ? [...args] : args.slice(at + 1);
    const { values, positionals } = parseOptions(rest, {}, undefined);
    const topic = word === 'help' ? positionals[0] : undefined;
    if (topic !== undefined) {
      const spec = findCommand(topic);
      if (!spec) throw new UsageError(`unknown command "${topic}"`);
      return { command: 'help', text: commandHelp(spec) };
    }
    if (word === 'help' || flag(values, 'help')) return { command: 'help', text: mainHelp() };
    throw new UsageError(`missing command: ${commandNames}`);
  }
  const spec = findCommand(word);
  if (!spec) throw new UsageError(`unknown command "${word}": expected ${commandNames}`);
  const { values, positionals } = parseOptions([...args.slice(0, at), ...args.slice(at + 1)], spec.flags, spec.name);
  if (flag(values, 'help')) return { command: 'help', text: commandHelp(spec) };
  const target: Target = { namespace: text(values, 'namespace'), kubeconfig: text(values, 'kubeconfig'), context: text(values, 'context') };
  const [username = ''] = positionalsOf(spec, positionals);
  switch (spec.name) {
    case 'databases':
      return { command: 'databases', target, output: outputOf(values, spec.name) };
    case 'list':
      return { command: 'list', target, database: text(values, 'database'), output: outputOf(values, spec.name) };
    case 'create':
      return {
        command: 'create',
        target,
        username,
        readOnly: flag(values, 'read-only'),
        protected: flag(values, 'protected'),
        database: text(values, 'database'),
        connection: text(values, 'connection'),
        passwordEncryption: text(values, 'password-encryption'),
        validUntil: text(values, 'valid-until'),
        connectionLimit: text(values, 'connection-limit'),
        ttl: text(values, 'ttl'),
        rotateEvery: text(values, 'rotate-every'),
        name: text(values, 'name'),
        password: passwordSourceOf(values, spec.name),
        timeoutMs: timeoutOf(values, spec.name),
      };
    case 'update-password':
      return {
        command: 'update-password',
        target,
        username,
        name: text(values, 'name'),
        database: text(values, 'database'),
        password: passwordSourceOf(values, spec.name),
        timeoutMs: timeoutOf(values, spec.name),
      };
    case 'delete':
      return {
        command: 'delete',
        target,
        username,
        name: text(values, 'name'),
        database: text(values, 'database'),
        yes: flag(values, 'yes'),
        timeoutMs: timeoutOf(values, spec.name),
      };
    case 'dashboard':
      return { command: 'dashboard', target, port: portOf(values, spec.name), open: !flag(values, 'no-open'), timeoutMs: timeoutOf(values, spec.name) };
  }
}
