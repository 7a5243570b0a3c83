import { describe, expect, it } from '@jest/globals';
import { parseInvocation } from '../../../src/cli/arguments.js';
import { UsageError } from '../../../src/cli/cli-error.js';

const noTarget = { namespace: undefined, kubeconfig: undefined, context: undefined };

function usageError(args: string[]): UsageError {
  try {
    parseInvocation(args);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parsed: ${args.join(' ')}`);
}

describe('parseInvocation', () => {
  it('reads dashboard with its defaults, and its flags', () => {
    expect(parseInvocation(['dashboard'])).toEqual({ command: 'dashboard', target: noTarget, port: 0, open: true, timeoutMs: 60_000 });
    expect(parseInvocation(['dashboard', '-n', 'shop', '--port', '8765', '--no-open', '--timeout', '2m'])).toEqual({
      command: 'dashboard',
      target: { ...noTarget, namespace: 'shop' },
      port: 8765,
      open: false,
      timeoutMs: 120_000,
    });
  });

  it.each(['-1', '65536', 'http', '80a'])('refuses --port %s', (port) => {
    expect(usageError(['dashboard', `--port=${port}`]).message).toBe(`--port ${port}: expected a port number, 0 to 65535`);
  });

  it('names the dashboard among the commands', () => {
    expect(usageError([]).message).toBe('missing command: databases, list, create, update-password, delete or dashboard');
  });

  it('reads databases, and --database on list, update-password and delete', () => {
    expect(parseInvocation(['databases', '-n', 'shop', '-o', 'json'])).toEqual({
      command: 'databases',
      target: { ...noTarget, namespace: 'shop' },
      output: 'json',
    });
    expect(parseInvocation(['databases'])).toEqual({ command: 'databases', target: noTarget, output: 'table' });
    expect(parseInvocation(['list', '--database', 'my-app'])).toEqual({ command: 'list', target: noTarget, database: 'my-app', output: 'table' });
    expect(parseInvocation(['update-password', 'my_app_4553_rw', '--database=my-app', '--generate-password'])).toMatchObject({
      command: 'update-password',
      username: 'my_app_4553_rw',
      database: 'my-app',
      password: 'generate',
    });
    expect(parseInvocation(['delete', '--database', 'my-app', 'my_app_4553_ro', '--yes'])).toMatchObject({
      command: 'delete',
      username: 'my_app_4553_ro',
      database: 'my-app',
      yes: true,
    });
    expect(parseInvocation(['create', '--read-only', 'my_app_4553_ro', '--database', 'my-app'])).toMatchObject({ database: 'my-app', connection: undefined });
    expect(usageError(['databases', 'extra']).message).toBe('unexpected argument "extra": kubectl dbuser databases [-o wide|json|yaml]');
    expect(usageError(['databases', '-o', 'table']).message).toBe('-o table: expected wide, json or yaml');
  });

  it("reads the provider's create with its defaults", () => {
    expect(parseInvocation(['create', '--read-only', 'my_user'])).toEqual({
      command: 'create',
      target: noTarget,
      username: 'my_user',
      readOnly: true,
      protected: false,
      database: undefined,
      connection: undefined,
      passwordEncryption: undefined,
      name: undefined,
      password: 'prompt',
      timeoutMs: 60_000,
    });
  });

  it("takes kubectl's global flags before or after the command, in both spellings", () => {
    const target = { namespace: 'shop', kubeconfig: '/tmp/k', context: 'prod' };
    expect(parseInvocation(['-n', 'shop', '--kubeconfig', '/tmp/k', '--context=prod', 'list'])).toEqual({
      command: 'list',
      target,
      database: undefined,
      output: 'table',
    });
    expect(parseInvocation(['list', '--namespace=shop', '--context', 'prod', '--kubeconfig=/tmp/k', '-o', 'wide'])).toEqual({
      command: 'list',
      target,
      database: undefined,
      output: 'wide',
    });
  });

  it("knows the provider's long names", () => {
    expect(parseInvocation(['database-users-list', '-o', 'json'])).toMatchObject({ command: 'list', output: 'json' });
    expect(parseInvocation(['database-users-create', 'my_user', '--generate-password'])).toMatchObject({ command: 'create', password: 'generate' });
    expect(parseInvocation(['database-users-update-password', 'my_user', '--password-stdin'])).toMatchObject({ command: 'update-password', password: 'stdin' });
    expect(parseInvocation(['database-users-delete', 'my_user', '-y', '--timeout', '1m30s'])).toMatchObject({
      command: 'delete',
      yes: true,
      timeoutMs: 90_000,
    });
  });

  it('gives help for the plugin and for each command', () => {
    const main = parseInvocation(['--help']);
    expect(main.command === 'help' && main.text).toContain('kubectl dbuser <command> [flags]');
    const create = parseInvocation(['create', '-h']);
    expect(create.command === 'help' && create.text).toContain('kubectl dbuser create [--read-only] <username> [flags]');
    const viaHelp = parseInvocation(['help', 'database-users-delete']);
    expect(viaHelp.command === 'help' && viaHelp.text).toContain('kubectl dbuser delete <username>');
  });

  it.each([
    [[], 'missing command'],
    [['drop', 'x'], 'unknown command "drop"'],
    [['create'], 'missing <username>'],
    [['delete', 'a', 'b'], 'unexpected argument "b"'],
    [['list', '--bogus'], "Unknown option '--bogus'"],
    [['list', '-o', 'csv'], '-o csv: expected wide, json or yaml'],
    [['create', 'my_user', '--password-stdin', '--generate-password'], 'exclude each other'],
    [['update-password', 'my_user', '--timeout', 'soon'], '--timeout soon'],
    [['delete', 'my_user', '--timeout', '0s'], '--timeout 0s'],
  ])('refuses %j as a usage error', (args, message) => {
    expect(usageError(args).message).toContain(message);
  });

  it("points a usage error at the command's help", () => {
    expect(usageError(['create', '--nope', 'x']).command).toBe('create');
    expect(usageError(['nope']).command).toBeUndefined();
  });
});

describe('findings of the fuzzers (test/unit/fuzz/cli-arguments.fuzz.test.ts)', () => {
  const usage = (args: string[]): string => {
    try {
      parseInvocation(args);
    } catch (error) {
      if (error instanceof UsageError) return error.message;
    }
    throw new Error(`${JSON.stringify(args)} was not refused`);
  };

  it('cli-error-echoes-control-characters: a refused argument is shown with control and format characters escaped', () => {
    expect(usage(['\u001b[2Jgone'])).toBe('unknown command "\\u{1b}[2Jgone": expected databases, list, create, update-password, delete or dashboard');
    // (Under jest, parseArgs's errors come from another realm and keep their class name in front.)
    expect(usage(['list', '--x\u202e'])).toContain("Unknown option '--x\\u{202e}'");
    // parseArgs's advice lines are dropped, not shown as escaped line breaks.
    expect(usage(['list', '-o', '-x'])).toMatch(/Option '-o' argument is ambiguous\. Did you forget to specify the option argument for '-o'\?$/);
  });

  it('cli-timeout-out-of-range: --timeout takes whole milliseconds from 1ms to 596h (AbortSignal.timeout threw RangeError beyond)', () => {
    expect(usage(['delete', 'my_user', '--timeout', '10000000h'])).toContain('--timeout 10000000h: expected a duration');
    expect(usage(['delete', 'my_user', '--timeout', '597h'])).toContain('(1ms to 596h)');
    const fractional = parseInvocation(['delete', 'my_user', '--timeout', '1.5ms']);
    expect(fractional).toMatchObject({ timeoutMs: 2 });
    expect(() => AbortSignal.timeout(fractional.command === 'delete' ? fractional.timeoutMs : 0)).not.toThrow();
  });
});
