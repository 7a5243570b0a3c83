import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Paths pino must censor wherever they appear. Log lines are kept small and flat, but a stray object
 * with a password, a URI or a connection string must not reach the log.
 */
export const redactedPaths = [
  'password',
  '*.password',
  'uri',
  '*.uri',
  'connectionString',
  '*.connectionString',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
  'headers.Authorization',
  '*.headers.Authorization',
];

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { component: 'dbuser-operator' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? process.stdout,
  );
}
