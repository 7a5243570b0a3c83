/**
 * The Add form's checks, with the API's own rules and messages (src/api), so the page refuses what
 * the CRD and the operator would, before anything is sent. The one rule it leaves to its server is
 * SASLprep's (password-shape.ts says why); the server's refusal carries the policy's message.
 */
import { usernameSchema } from '../../api/database-user.js';
import { passwordShapeViolation } from '../../api/password-shape.js';
import { describeIssue } from '../../client/new-user.js';

export interface AddUserForm {
  username: string;
  password: string;
  confirmation: string;
  readOnly: boolean;
}

export type AddUserField = 'username' | 'password' | 'confirmation';
export type FormErrors = Partial<Record<AddUserField, string>>;

function asSentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The first broken rule of a username, as a sentence; the CRD's own messages name the username already. */
export function usernameProblem(username: string): string | undefined {
  const parsed = usernameSchema.safeParse(username);
  const issue = parsed.success ? undefined : parsed.error.issues[0];
  if (!issue) return undefined;
  const message = describeIssue(issue);
  return asSentence(/^usernames?\b/i.test(message) ? message : `the username ${message}`);
}

/** Both password fields empty: the operator generates the password. */
export function wantsGeneratedPassword(form: AddUserForm): boolean {
  return form.password === '' && form.confirmation === '';
}

export function validateAddUser(form: AddUserForm): FormErrors {
  const errors: FormErrors = {};
  const username = usernameProblem(form.username);
  if (username !== undefined) errors.username = username;
  if (wantsGeneratedPassword(form)) return errors;
  const violation = passwordShapeViolation(form.password);
  if (violation !== undefined) errors.password = asSentence(violation);
  else if (form.confirmation !== form.password) errors.confirmation = 'The passwords do not match.';
  return errors;
}

/** The fields an edit of `field` can make right or wrong: the confirmation is checked against the password. */
const affectedBy: Record<AddUserField, readonly AddUserField[]> = {
  username: ['username'],
  password: ['password', 'confirmation'],
  confirmation: ['confirmation'],
};

/**
 * The errors still shown after the person edits `field`: an error shown for an affected field is
 * checked again against the new values and stays only while it is still true (the server's word on
 * the username, which the page cannot check, goes as soon as the username changes). No error
 * appears while typing; new ones wait for the next Add user.
 */
export function errorsAfterEdit(shown: FormErrors, form: AddUserForm, field: AddUserField): FormErrors {
  const now = validateAddUser(form);
  const kept: FormErrors = {};
  for (const [name, error] of Object.entries(shown) as [AddUserField, string][]) {
    const still = affectedBy[field].includes(name) ? now[name] : error;
    if (still !== undefined) kept[name] = still;
  }
  return kept;
}
