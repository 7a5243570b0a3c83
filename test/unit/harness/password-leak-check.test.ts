import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { PasswordLeakCheck } from '../../harness/password-leak-check.js';

const dir = mkdtempSync(path.join(tmpdir(), 'leak-check-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('PasswordLeakCheck.scan', () => {
  it('finds a password in plain and percent-encoded form, and reports no password text', () => {
    const check = new PasswordLeakCheck('unused');
    check.add('plain_password_123');
    check.add('needs encoding: yes');
    writeFileSync(path.join(dir, 'clean.log'), 'nothing to see\n');
    writeFileSync(path.join(dir, 'plain.log'), 'ALTER ROLE x PASSWORD plain_password_123\n');
    writeFileSync(path.join(dir, 'encoded.log'), 'uri postgresql://u:needs%20encoding%3A%20yes@h/db\n');
    const result = check.scan(['clean.log', 'plain.log', 'encoded.log', 'missing.log'].map((file) => path.join(dir, file)));
    expect(result.files).toBe(3);
    expect(result.leaks).toHaveLength(2);
    expect(result.leaks.join()).not.toContain('plain_password_123');
  });
});
