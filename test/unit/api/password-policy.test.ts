import { describe, expect, it } from '@jest/globals';
import { passwordPolicyViolation } from '../../../src/api/password-policy.js';
import { scramPrepared } from '../../../src/api/password-preparation.js';

describe('passwordPolicyViolation', () => {
  it.each([
    ['x'.repeat(24), undefined],
    ['x'.repeat(64), undefined],
    ['with spaces and symbols !#$%&()*+,-./:;<=>?@[]^_`{|}~', undefined],
    ['x'.repeat(23), 'shorter than 24 characters'],
    ['x'.repeat(65), 'longer than 64 characters'],
    ['twenty-four characters "', 'contains a quote'],
    ["twenty-four characters '", 'contains a quote'],
    ['pässwörd-ünïcödé-ÅÄÖ-€-long-enough', undefined],
    ['pässwörd-ünïcödé-ÅÄÖ-€-long-enough'.normalize('NFD'), undefined],
    // 24 characters composed, 34 code points decomposed: counted as a person counts them.
    ['äöüäöüäöüäöüäöüäöüäöüäöü'.normalize('NFD'), undefined],
    ['パスワードは二十四文字以上でなければなりませんよ', undefined],
    ['ä'.repeat(65).normalize('NFD'), 'longer than 64 characters'],
    ['twenty-four characters\t!', 'control character'],
    ['twenty-four characters\n!', 'control character'],
    ['twenty-four characters \u007f', 'control character'],
    ['twenty-four characters \ue000', 'SASLprep'],
    ['twenty-four characters \u{e0001}', 'SASLprep'],
    ['twenty-four characters \u0627 mixed', 'SASLprep'],
  ])('%j -> %s', (password, violation) => {
    const result = passwordPolicyViolation(password);
    if (violation === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(violation);
    expect(result ?? '').not.toContain(password);
  });
});

describe('scramPrepared', () => {
  it('leaves ASCII as it is, even what SASLprep would map', () => {
    expect(scramPrepared('plain ASCII password 123')).toBe('plain ASCII password 123');
  });

  it('gives NFC and NFD forms the same prepared text (NFKC), as PostgreSQL and libpq do', () => {
    const nfc = 'pässwörd-ünïcödé-ÅÄÖ-€-long-enough';
    expect(scramPrepared(nfc.normalize('NFD'))).toBe(nfc);
    expect(scramPrepared(nfc)).toBe(nfc);
  });

  it('maps non-ASCII spaces to a space and removes characters mapped to nothing (RFC 4013 examples)', () => {
    expect(scramPrepared('I\u00adX')).toBe('IX');
    expect(scramPrepared('a\u00a0b€')).toBe('a b€');
    expect(scramPrepared('\u2168')).toBe('IX');
  });

  it('is undefined for what SASLprep prohibits', () => {
    expect(scramPrepared('\u0007€')).toBeUndefined();
    expect(scramPrepared('\u0627\u0031')).toBeUndefined();
  });
});

describe('findings of the fuzzers (test/unit/fuzz/password-policy.fuzz.test.ts)', () => {
  it('password-prepared-below-minimum: characters SASLprep removes do not count toward the 24', () => {
    const weak = '\u00ad'.repeat(23) + 'a'; // SCRAM would hash "a"
    expect(scramPrepared(weak)).toBe('a');
    expect(passwordPolicyViolation(weak)).toContain('shorter than 24 characters once SASLprep removes');
    expect(passwordPolicyViolation('\u200d'.repeat(20) + 'abcd')).toContain('shorter than 24');
    // Mapped characters still count: a no-break space becomes a space, not nothing.
    expect(passwordPolicyViolation('\u00a0'.repeat(12) + 'abcdefghijkl')).toBeUndefined();
  });
});
