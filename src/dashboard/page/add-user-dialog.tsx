/** Add a database user: username, password twice (both empty: generated), Read only; checked with the API's rules before sending. */
import { useState } from 'preact/hooks';
import { chosenPasswordMaxLength, chosenPasswordMinLength } from '../../api/password-shape.js';
import type { PasswordResult } from '../wire.js';
import { Outcome, useAction } from './action.js';
import { dashboardApi } from './api.js';
import { Dialog } from './dialog.js';
import { validateAddUser, wantsGeneratedPassword, type AddUserField, type AddUserForm, type FormErrors } from './validation.js';

const fieldOrder: readonly AddUserField[] = ['username', 'password', 'confirmation'];

function Field(props: {
  field: AddUserField;
  label: string;
  type: 'text' | 'password';
  value: string;
  error: string | undefined;
  hint?: string;
  autocomplete: string;
  onInput: (value: string) => void;
}) {
  const id = `add-${props.field}`;
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attributes = {
    id,
    name: props.field,
    value: props.value,
    autocomplete: props.autocomplete,
    spellcheck: false,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': describedBy || undefined,
    autofocus: props.field === 'username',
    onInput: (event: { currentTarget: HTMLInputElement }) => {
      props.onInput(event.currentTarget.value);
    },
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.type === 'password' ? <input type="password" {...attributes} /> : <input type="text" {...attributes} />}
      {props.hint ? (
        <p id={`${id}-hint`} class="hint">
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p id={`${id}-error`} class="field-error">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

export function AddUserDialog({
  open,
  namespace,
  onClose,
  onCreated,
}: {
  open: boolean;
  namespace: string;
  onClose: () => void;
  onCreated: (result: PasswordResult) => void;
}) {
  const empty: AddUserForm = { username: '', password: '', confirmation: '', readOnly: false };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState<FormErrors>({});
  const { busy, failure, run, clear } = useAction();
  const close = () => {
    setForm(empty);
    setErrors({});
    clear();
    onClose();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validateAddUser(form);
    setErrors(found);
    clear();
    const first = fieldOrder.find((field) => found[field] !== undefined);
    if (first !== undefined) {
      document.getElementById(`add-${first}`)?.focus();
      return;
    }
    await run(async () => {
      const result = await dashboardApi.createUser(namespace, {
        username: form.username,
        readOnly: form.readOnly,
        ...(wantsGeneratedPassword(form) ? {} : { password: form.password }),
      });
      setForm(empty);
      onCreated(result);
    });
  };
  const set = (field: AddUserField) => (value: string) => {
    setForm({ ...form, [field]: value });
  };
  return (
    <Dialog open={open} titleId="add-title" title="Add a database user" onClose={close} busy={busy} fallbackFocus="add-user">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <p class="hint">In namespace {namespace}.</p>
        <Field
          field="username"
          label="Username"
          type="text"
          value={form.username}
          error={errors.username}
          hint="6–32 letters, digits and underscores, starting with a letter."
          autocomplete="off"
          onInput={set('username')}
        />
        <Field
          field="password"
          label="Password"
          type="password"
          value={form.password}
          error={errors.password}
          hint={`${String(chosenPasswordMinLength)}–${String(chosenPasswordMaxLength)} characters, Unicode included, no quotes or control characters. Leave both password fields empty to have a 64-character password generated.`}
          autocomplete="new-password"
          onInput={set('password')}
        />
        <Field
          field="confirmation"
          label="Confirm password"
          type="password"
          value={form.confirmation}
          error={errors.confirmation}
          autocomplete="new-password"
          onInput={set('confirmation')}
        />
        <div class="field checkbox">
          <input
            id="add-read-only"
            type="checkbox"
            checked={form.readOnly}
            onChange={(event) => {
              setForm({ ...form, readOnly: event.currentTarget.checked });
            }}
          />
          <label for="add-read-only">Read only</label>
          <p class="hint">SELECT on every table and sequence; otherwise read and write.</p>
        </div>
        <Outcome busy={busy} failure={failure} progress={`Creating ${form.username}; waiting for the operator to create the role…`} />
        <div class="buttons">
          <button type="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Add user
          </button>
        </div>
      </form>
    </Dialog>
  );
}
