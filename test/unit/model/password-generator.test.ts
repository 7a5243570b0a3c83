import { describe, expect, it } from '@jest/globals';
import { generatePassword } from '../../../src/model/password-generator.js';

describe('generatePassword', () => {
  it('gives 64 characters of [A-Za-z0-9_]', () => {
    for (let i = 0; i < 100; i++) expect(generatePassword()).toMatch(/^[A-Za-z0-9_]{64}$/);
  });

  it('rejects the bytes that would bias byte % 63 (252-255)', () => {
    // First draw: only bytes 252-255, all rejected. Second draw: 0, 1, 2, ... 63 (63 % 63 = 0 -> "A").
    const draws = [Buffer.from(Array.from({ length: 64 }, (_, i) => 252 + (i % 4))), Buffer.from(Array.from({ length: 64 }, (_, i) => i))];
    let calls = 0;
    const random = (size: number) => (draws[calls++] ?? Buffer.alloc(size)).subarray(0, size);
    expect(generatePassword(random)).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_A');
    expect(calls).toBe(2);
  });

  it('is uniform over the alphabet (chi-squared over 64,000 characters)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) for (const char of generatePassword()) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(63);
    const expected = 64_000 / 63;
    const chiSquared = [...counts.values()].reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 62 degrees of freedom: p = 0.001 at about 101.
    expect(chiSquared).toBeLessThan(101);
  });
});
