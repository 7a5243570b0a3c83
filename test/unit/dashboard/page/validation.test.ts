import { describe, expect, it } from '@jest/globals';
import { passwordPolicyViolation } from '../../../../src/api/password-policy.js';
import { errorsAfterEdit, validateAddUser, wantsGeneratedPassword } from '../../../../src/dashboard/page/validation.js';

const good = { username: 'my_app_4553_rw', password: '', confirmation: '', readOnly: false };
const chosen = 'a chosen password, 30 chars.!';

describe("the Add form's checks", () => {
  it('accepts a good username with both passwords empty: generated', () => {
    expect(validateAddUser(good)).toEqual({});
    expect(wantsGeneratedPassword(good)).toBe(true);
  });

  it('accepts a chosen password typed twice', () => {
    expect(validateAddUser({ ...good, password: chosen, confirmation: chosen })).toEqual({});
  });

  it.each([
    ['abcde', 'The username must be at least 6 characters.'],
    ['a'.repeat(33), 'The username must be at most 32 characters.'],
    ['1abcdef', 'Username must start with a letter and contain only letters, digits and underscores.'],
    ['Postgres', 'Username "postgres" is reserved for the PostgreSQL superuser.'],
    ['pg_monitor_x', 'Usernames starting with "pg_" are reserved for PostgreSQL system roles.'],
  ])("refuses username %s with the CRD's message", (username, message) => {
    expect(validateAddUser({ ...good, username })).toEqual({ username: message });
  });

  it('accepts Unicode, as the policy does, counting characters as a person does', () => {
    const unicode = 'pässwörd-ünïcödé-ÅÄÖ-€-long-enough';
    expect(validateAddUser({ ...good, password: unicode, confirmation: unicode })).toEqual({});
    const composed = 'äöüäöüäöüäöüäöüäöüäöüäöü'.normalize('NFD');
    expect(validateAddUser({ ...good, password: composed, confirmation: composed })).toEqual({});
  });

  it.each([
    ['short', 'The password is shorter than 24 characters.'],
    ['x'.repeat(23), 'The password is shorter than 24 characters.'],
    ['x'.repeat(65), 'The password is longer than 64 characters.'],
    [`it's ${'x'.repeat(25)}`, 'The password contains a quote (" or \'), which is not allowed.'],
    [`a tab\there ${'x'.repeat(25)}`, 'The password contains a control character (such as a newline or a tab), which is not allowed.'],
  ])("refuses password %j with the policy's message", (password, message) => {
    expect(validateAddUser({ ...good, password, confirmation: password })).toEqual({ password: message });
    expect(message).toBe(`${passwordPolicyViolation(password)?.replace(/^t/, 'T') ?? ''}.`);
  });

  it("leaves SASLprep's rule to the server, where the whole policy refuses it", () => {
    const privateUse = `twenty-four characters \ue000`;
    expect(validateAddUser({ ...good, password: privateUse, confirmation: privateUse })).toEqual({});
    expect(passwordPolicyViolation(privateUse)).toContain('SASLprep');
  });

  it('refuses a confirmation that differs, or is missing', () => {
    expect(validateAddUser({ ...good, password: chosen, confirmation: `${chosen}?` })).toEqual({ confirmation: 'The passwords do not match.' });
    expect(validateAddUser({ ...good, password: chosen })).toEqual({ confirmation: 'The passwords do not match.' });
    expect(validateAddUser({ ...good, confirmation: chosen }).password).toBe('The password is shorter than 24 characters.');
  });
});

describe('errors after an edit', () => {
  const typed = 'the password typed twice, 30 c';
  const mismatch = { ...good, password: typed, confirmation: `${typed.slice(0, -1)}x` };

  it('a mismatch shown goes once the confirmation matches, and stays while it still differs', () => {
    const shown = validateAddUser(mismatch);
    expect(shown).toEqual({ confirmation: 'The passwords do not match.' });
    expect(errorsAfterEdit(shown, { ...mismatch, confirmation: typed.slice(0, -1) }, 'confirmation')).toEqual(shown);
    expect(errorsAfterEdit(shown, { ...mismatch, confirmation: typed }, 'confirmation')).toEqual({});
  });

  it('retyping the password to match the confirmation clears the mismatch too', () => {
    const shown = validateAddUser(mismatch);
    expect(errorsAfterEdit(shown, { ...mismatch, password: mismatch.confirmation }, 'password')).toEqual({});
  });

  it("the server's username error goes when the username changes, not when a password does", () => {
    const shown = { username: 'A user named my_app_4553_rw already exists in this namespace.' };
    expect(errorsAfterEdit(shown, { ...good, password: 'x' }, 'password')).toEqual(shown);
    expect(errorsAfterEdit(shown, { ...good, username: 'my_app_4553_rx' }, 'username')).toEqual({});
    expect(errorsAfterEdit(shown, { ...good, username: 'abcde' }, 'username')).toEqual({ username: 'The username must be at least 6 characters.' });
  });

  it('shows no new error while typing', () => {
    expect(errorsAfterEdit({}, { ...good, username: 'ab' }, 'username')).toEqual({});
    expect(errorsAfterEdit({}, { ...good, password: 'short', confirmation: '' }, 'password')).toEqual({});
  });
});
