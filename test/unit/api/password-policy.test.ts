import { describe, expect, it } from '@jest/globals';
import { passwordPolicyViolation } from '../../../src/api/password-policy.js';

describe('passwordPolicyViolation', () => {
  it.each([
    ['x'.repeat(24), undefined],
    ['x'.repeat(64), undefined],
    ['with spaces and symbols !#$%&()*+,-./:;<=>?@[]^_`{|}~', undefined],
    ['x'.repeat(23), 'shorter than 24 characters'],
    ['x'.repeat(65), 'longer than 64 characters'],
    ['twenty-four characters "', 'contains a quote'],
    ["twenty-four characters '", 'contains a quote'],
    ['twenty-four characters é', 'other than printable ASCII'],
    ['twenty-four characters\t!', 'other than printable ASCII'],
  ])('%j -> %s', (password, violation) => {
    const result = passwordPolicyViolation(password);
    if (violation === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(violation);
    expect(result ?? '').not.toContain(password);
  });
});
