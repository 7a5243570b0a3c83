// Property-based fuzzing of the command line's argument parser (README, "The command line") and of
// the durations it and the operator's settings take: for any argument list, UsageError or an
// invocation, never another exception; a refused argument is shown escaped, never raw; and the
// documented decision: the command, its username, its flags and a usable timeout.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { longestTimerMs, parseDuration, parseTimerDuration } from '../../../src/api/duration.js';
import { parseInvocation, type Invocation } from '../../../src/cli/arguments.js';
import { UsageError } from '../../../src/cli/cli-error.js';
import { commands } from '../../../src/cli/commands.js';
import { ConfigError, loadConfig } from '../../../src/runtime/config.js';
import { fuzzParameters } from './fuzz-settings.js';

const words = commands.flatMap((command) => [command.name, ...(command.alias ? [command.alias] : [])]);
const flags = [...new Set(commands.flatMap((command) => Object.keys(command.flags)).concat(['namespace', 'kubeconfig', 'context', 'help']))].flatMap((flag) => [
  `--${flag}`,
  `--${flag}=x`,
]);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('-', '--', '-n', '-o', '-h', '-x', '', ' ', 'help'));
const token = fc.oneof(fc.constantFrom(...words, ...flags, 'help', 'my_user', '30s', '1.5ms', '99999999h', '0', '65536', 'json'), text);
const argumentLists = fc.array(token, { maxLength: 8 });

function parsed(args: string[]): Invocation | UsageError {
  try {
    return parseInvocation(args);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

/** A duration as a person might type it: valid parts, near-misses and numbers far out of range. */
const durationText = fc.oneof(
  fc
    .array(
      fc.tuple(fc.oneof(fc.nat({ max: 100_000 }).map(String), fc.constantFrom('0.5', '1.5', '0.0001', '9'.repeat(400))), fc.constantFrom('ms', 's', 'm', 'h')),
      {
        minLength: 1,
        maxLength: 3,
      },
    )
    .map((parts) => parts.map(([amount, unit]) => amount + unit).join('')),
  fc.string({ unit: fc.constantFrom('1', '0', '.', 'h', 'm', 's', ' ', '-', 'u', 'µ', 'd'), maxLength: 8 }),
);

describe('the command line, fuzzed', () => {
  it('answers any argument list with an invocation or a UsageError whose text has no raw control or format character', () => {
    fc.assert(
      fc.property(argumentLists, (args) => {
        const result = parsed(args);
        if (result instanceof UsageError) expect(result.message).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}]/u);
      }),
      fuzzParameters(),
    );
  });

  it('decides a well-formed create as documented: the username, the flags, a usable timeout', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{5,31}$/),
        fc.boolean(),
        fc.option(durationText, { nil: undefined }),
        fc.option(fc.constantFrom('shop', 'my-ns'), { nil: undefined }),
        (username, readOnly, timeout, namespace) => {
          const args = ['create', ...(readOnly ? ['--read-only'] : []), username, '--generate-password'];
          if (timeout !== undefined) args.push('--timeout', timeout);
          if (namespace !== undefined) args.unshift('-n', namespace);
          const result = parsed(args);
          const timeoutMs = timeout === undefined ? 60_000 : parseTimerDuration(timeout);
          if (timeoutMs === undefined) {
            expect(result).toBeInstanceOf(UsageError);
            return;
          }
          expect(result).toMatchObject({ command: 'create', username, readOnly, password: 'generate', timeoutMs, target: { namespace } });
          // A timeout the command can wait on: AbortSignal.timeout and setTimeout take it as it is.
          expect(() => AbortSignal.timeout(timeoutMs)).not.toThrow();
          expect(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= longestTimerMs).toBe(true);
        },
      ),
      fuzzParameters(),
    );
  });
});

describe('durations, fuzzed', () => {
  it('parseDuration: never throws, accepts exactly the documented grammar, and sums the parts', () => {
    fc.assert(
      fc.property(fc.oneof(durationText, fc.string({ unit: 'binary', maxLength: 10 })), (text) => {
        const ms = parseDuration(text);
        const grammatical = /^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text.trim());
        expect(ms !== undefined).toBe(grammatical);
        if (ms === undefined) return;
        const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
        const sum = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce(
          (total, [, amount, unit]) => total + Number(amount) * (units[unit ?? ''] ?? 0),
          0,
        );
        expect(ms).toBe(sum);
      }),
      fuzzParameters(),
    );
  });

  it('every duration setting the operator accepts is a timer Node.js keeps and PostgreSQL reads as a timeout: whole ms, 1 ms to 2^31-1', () => {
    const settings = [
      'RESYNC_INTERVAL',
      'SHUTDOWN_TIMEOUT',
      'PG_LOCK_TIMEOUT',
      'PG_STATEMENT_TIMEOUT',
      'PG_CONNECT_TIMEOUT',
      'RETRY_BACKOFF_MAX',
      'MIN_PASSWORD_ROTATION',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...settings), durationText, (setting, value) => {
        let config: ReturnType<typeof loadConfig>;
        try {
          config = loadConfig({ [setting]: value }, [], 'host');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          return;
        }
        const durations = [
          config.resyncIntervalMs,
          config.shutdownTimeoutMs,
          config.postgres.lockTimeoutMs,
          config.postgres.statementTimeoutMs,
          config.postgres.connectTimeoutMs,
          config.retryBackoffMaxMs,
          config.minPasswordRotationMs,
        ];
        for (const ms of durations) expect(Number.isInteger(ms) && ms >= 1 && ms <= longestTimerMs).toBe(true);
      }),
      fuzzParameters(),
    );
  });
});
