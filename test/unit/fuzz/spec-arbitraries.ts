import fc from 'fast-check';

/**
 * DatabaseUser specs for the fuzzers: each field valid, a near miss of a rule, or the wrong type, so
 * that both sides of every rule (CRD schema, CEL, zod) are met. Values only: the callers name the
 * objects.
 */
/** Mostly valid, so that accepted specs are fuzzed as much as refused ones. */
const username = fc.oneof(
  { weight: 20, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{5,31}$/) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'postgres',
      'Postgres',
      'pg_monitor_x',
      'PG_user_1',
      'public',
      'PUBLIC',
      'Current_User',
      'session_user',
      'current_role',
      'None',
      'none_at_all',
      'publicly',
      '1abcdef',
      '_abcdef',
      'abc',
      'a'.repeat(33),
      'a'.repeat(32),
      'abc-def',
      'abcdéf',
      'ab cdef',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null)) },
);

const objectName = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('Upper', 'a_b', '-a', 'a.', 'a..b', '', 'x'.repeat(254), 'ok.name') },
);

const database = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'template0',
      'template1',
      'postgres',
      'Postgres',
      'shop\u0000x',
      'shop\nx',
      'tab\there',
      '',
      'é'.repeat(31),
      'é'.repeat(32),
      'a'.repeat(63),
      'a'.repeat(64),
      '日本'.repeat(10),
      '日本'.repeat(11),
      'my db',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 70 }) },
);

/** Go-style durations and their near misses. */
export const durationText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('1h', '720h', '30m', '90s', '1h30m', '2h0m0.5s', '876000h') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '1h',
      '720h',
      '30m',
      '90s',
      '1h30m',
      '0s',
      '0h',
      '876000h',
      '876000h1ms',
      '876001h',
      '1.5h',
      '.5h',
      '1d',
      'h',
      '-1h',
      '1H',
      '10us',
      ' 1h',
      '1h ',
      '',
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(fc.nat({ max: 10_000 }), fc.constantFrom('ms', 's', 'm', 'h')), { minLength: 1, maxLength: 3 })
      .map((parts) => parts.map(([amount, unit]) => `${amount}${unit}`).join('')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

const validUntil = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => date.toISOString()),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '2027-01-01T00:00:00Z',
      '2027-01-01T00:00:00+15:59',
      '2027-01-01T00:00:00-15:59',
      '2027-01-01T00:00:00+16:00',
      '2027-01-01T00:00:00-99:00',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '2027-01-01T00:00:00.123456789Z',
      '2027-01-01t00:00:00z',
      '2027-01-01 00:00:00Z',
      '2027-01-01T00:00:00',
      '2027-01-01',
      '2027-02-30T00:00:00Z',
      '2027-01-01T24:00:00Z',
      '2027-01-01T23:59:60Z',
      'tomorrow',
    ),
  },
);

const connectionLimit = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -1, max: 1000 }) },
  { weight: 2, arbitrary: fc.constantFrom(-2, -3, 2147483647, 2147483648, -2147483648, 1.5, '5') },
);

export const specArbitrary = fc.record(
  {
    username,
    readOnly: fc.oneof({ weight: 10, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom('true', 1) }),
    protected: fc.oneof(
      { weight: 8, arbitrary: fc.constant(false) },
      { weight: 3, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant('yes') },
    ),
    connection: fc.oneof({ weight: 10, arbitrary: fc.record({ secretName: objectName }) }, { weight: 1, arbitrary: fc.constant({}) }),
    database,
    passwordSecretRef: fc.record(
      {
        name: objectName,
        key: fc.oneof({ weight: 8, arbitrary: fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/) }, { weight: 1, arbitrary: fc.constantFrom('bad key', '', 'a/b') }),
      },
      { requiredKeys: ['name'] },
    ),
    passwordEncryption: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('scram-sha-256', 'md5') },
      { weight: 1, arbitrary: fc.constantFrom('SCRAM-SHA-256', 'MD5', 'md4', '') },
    ),
    secretName: objectName,
    validUntil,
    connectionLimit,
    passwordRotation: fc.oneof({ weight: 10, arbitrary: fc.record({ every: durationText }) }, { weight: 1, arbitrary: fc.constant({}) }),
    ttl: durationText,
    deletionPolicy: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('Delete', 'Retain') }, { weight: 1, arbitrary: fc.constantFrom('delete', 'Orphan') }),
  },
  { requiredKeys: ['username'] },
);

/** Specs every rule accepts: each field valid, and no lifecycle contradiction. */
export const validSpecArbitrary = fc
  .record(
    {
      username: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{5,31}$/).filter((name) => !/^(pg_|postgres$|public$|none$|current_|session_user$)/i.test(name)),
      readOnly: fc.boolean(),
      protected: fc.boolean(),
      connection: fc.record({ secretName: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/) }),
      database: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/).filter((name) => !['postgres', 'template0', 'template1'].includes(name)),
      passwordSecretRef: fc.record({ name: fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/) }),
      passwordEncryption: fc.constantFrom('scram-sha-256', 'md5'),
      validUntil: fc
        .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
        .map((date) => date.toISOString()),
      connectionLimit: fc.integer({ min: -1, max: 2147483647 }),
      passwordRotation: fc.record({ every: fc.constantFrom('1h', '720h', '8760h', '1h30m') }),
      ttl: fc.constantFrom('1h', '24h', '876000h', '90m'),
      deletionPolicy: fc.constantFrom('Delete', 'Retain'),
    },
    { requiredKeys: ['username'] },
  )
  .map((spec) => {
    const lifecycle = spec.ttl !== undefined || spec.passwordRotation !== undefined;
    const consistent: Record<string, unknown> = { ...spec, ...(lifecycle && spec.protected ? { protected: false } : {}) };
    if (spec.ttl !== undefined && spec.deletionPolicy === 'Retain') consistent.deletionPolicy = 'Delete';
    return consistent;
  });

const specFields = [
  'username',
  'readOnly',
  'protected',
  'connection',
  'database',
  'passwordSecretRef',
  'passwordEncryption',
  'secretName',
  'validUntil',
  'connectionLimit',
  'passwordRotation',
  'ttl',
  'deletionPolicy',
] as const;

/** A valid spec with one field taken from the wild generator (or dropped): the rules one at a time. */
export const oneDefectArbitrary = fc.tuple(validSpecArbitrary, specArbitrary, fc.constantFrom(...specFields)).map(([valid, wild, field]) => {
  const replacement = (wild as Record<string, unknown>)[field];
  const kept = Object.entries(valid).filter(([key]) => key !== field);
  return Object.fromEntries(replacement === undefined ? kept : [...kept, [field, replacement]]);
});

/** What the fuzzers apply: valid specs, specs with one defect, and specs with many. */
export const fuzzedSpecArbitrary = fc.oneof(validSpecArbitrary, oneDefectArbitrary, specArbitrary);
