// Property-based fuzzing of the chosen-password policy and its SASLprep preparation (README,
// "chosen password"): never an exception, never the password in the message, and the documented
// decision for every string: 24-64 characters (code points of the NFC form), no quotes, no control
// characters, nothing SASLprep prohibits; and the same decision and prepared text for every Unicode
// spelling of one password, since clients may send either.
import { describe, expect, it } from '@jest/globals';
import saslprep from '@mongodb-js/saslprep';
import fc from 'fast-check';
import { passwordPolicyViolation } from '../../../src/api/password-policy.js';
import { scramPrepared } from '../../../src/api/password-preparation.js';
import { passwordShapeViolation } from '../../../src/api/password-shape.js';
import { echoes, fuzzParameters } from './fuzz-settings.js';

/** Passwords of every kind around the limits: any code points, combining marks, lengths 0-80. */
const candidate = fc.oneof(
  fc.string({ unit: 'binary', minLength: 20, maxLength: 70 }),
  fc.string({ unit: 'grapheme', minLength: 20, maxLength: 70 }),
  fc.string({
    unit: fc.constantFrom('a', 'é', 'e\u0301', 'ﬁ', '\u00a0', '\u200b', '"', "'", '\n', '\u0627', 'A', '1', ' ', '\u{1F600}'),
    minLength: 0,
    maxLength: 80,
  }),
);

/** Passwords a person would choose, in every script: most are accepted, so the accepted side is fuzzed too. */
const plausible = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...Array.from('abcXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_{|}~ ')) },
    { weight: 2, arbitrary: fc.constantFrom('é', 'e\u0301', 'ß', 'Ω', '日', 'ﬁ', '\u00a0', '\u3000', '€', 'ü', 'ñ', '\u{1F600}') },
    { weight: 1, arbitrary: fc.constantFrom('\u00ad', '\u200d', '\u034f', '\u200b', '\u2060') },
  ),
  minLength: 20,
  maxLength: 70,
});
const passwords = fc.oneof(candidate, plausible);

/** length(text) as the policy counts: code points of the NFC form. */
const length = (text: string): number => Array.from(text.normalize('NFC')).length;

function decided(password: string): boolean {
  if (length(password) < 24 || length(password) > 64 || /["']/.test(password) || /\p{Cc}/u.test(password)) return false;
  // eslint-disable-next-line no-control-regex -- ASCII passwords are hashed as they are (pg_saslprep)
  if (/^[\x00-\x7f]*$/.test(password)) return true;
  try {
    return length(saslprep(password)) >= 24;
  } catch {
    return false;
  }
}

describe('the password policy, fuzzed', () => {
  it('never throws, never repeats the password, and decides as documented', () => {
    fc.assert(
      fc.property(passwords, (password) => {
        const violation = passwordPolicyViolation(password);
        expect(violation === undefined).toBe(decided(password));
        if (violation !== undefined) expect(echoes(violation, password)).toBe(false);
        const shape = passwordShapeViolation(password);
        if (shape !== undefined) expect(violation).toBe(shape);
      }),
      fuzzParameters(),
    );
  });

  it('decides the same for the NFC and the NFD spelling of a password, and prepares both to the same text', () => {
    fc.assert(
      fc.property(passwords, (password) => {
        const [composed, decomposed] = [password.normalize('NFC'), password.normalize('NFD')];
        expect(passwordPolicyViolation(decomposed) === undefined).toBe(passwordPolicyViolation(composed) === undefined);
        if (passwordPolicyViolation(composed) === undefined) expect(scramPrepared(decomposed)).toBe(scramPrepared(composed));
      }),
      fuzzParameters(),
    );
  });

  it('prepares every accepted password to a non-empty text that SASLprep leaves as it is', () => {
    fc.assert(
      fc.property(passwords, (password) => {
        fc.pre(passwordPolicyViolation(password) === undefined);
        const prepared = scramPrepared(password);
        expect(prepared).toBeDefined();
        expect(prepared).not.toBe('');
        expect(scramPrepared(prepared ?? '')).toBe(prepared);
      }),
      fuzzParameters(),
    );
  });
});
