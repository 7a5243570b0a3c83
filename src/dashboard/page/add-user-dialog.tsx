/** Add a database user: username, password twice (both empty: generated), Read only; checked with the API's rules before sending. */
import { useLayoutEffect, useState } from 'preact/hooks';
import { chosenPasswordMaxLength, chosenPasswordMinLength } from '../../api/password-shape.js';
import type { DatabaseRow, PasswordResult } from '../wire.js';
import { Outcome, useAction } from './action.js';
import { ApiRefusal, dashboardApi } from './api.js';
import { Dialog } from './dialog.js';
import { errorsAfterEdit, validateAddUser, wantsGeneratedPassword, type AddUserField, type AddUserForm, type FormErrors } from './validation.js';

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
  database,
  onClose,
  onCreated,
  onSending,
}: {
  open: boolean;
  namespace: string;
  /** The Database the user is added to (spec.databaseRef); undefined: the operator's default connection. */
  database: DatabaseRow | undefined;
  onClose: () => void;
  onCreated: (result: PasswordResult) => void;
  /** The username being sent (undefined: none any more), so the page leaves its comings and goings to this dialog. */
  onSending: (username: string | undefined) => void;
}) {
  const empty: AddUserForm = { username: '', password: '', confirmation: '', readOnly: false };
  const [form, setForm] = useState(empty);
  const [errors, setErrors] = useState<FormErrors>({});
  // The field to focus once its error is on the page (so a screen reader reads it with the field).
  const [focusField, setFocusField] = useState<AddUserField | undefined>();
  const { busy, failure, run, clear } = useAction();
  useLayoutEffect(() => {
    if (focusField === undefined) return;
    document.getElementById(`add-${focusField}`)?.focus();
    setFocusField(undefined);
  }, [focusField]);
  const close = () => {
    setForm(empty);
    setErrors({});
    clear();
    onSending(undefined);
    onClose();
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const found = validateAddUser(form);
    setErrors(found);
    clear();
    const first = fieldOrder.find((field) => found[field] !== undefined);
    if (first !== undefined) {
      setFocusField(first);
      return;
    }
    onSending(form.username);
    await run(async () => {
      try {
        const result = await dashboardApi.createUser(namespace, {
          username: form.username,
          readOnly: form.readOnly,
          ...(wantsGeneratedPassword(form) ? {} : { password: form.password }),
          ...(database === undefined ? {} : { database: database.name }),
        });
        setForm(empty);
        onCreated(result);
      } catch (error) {
        // The server's word on the username (it exists already): on the field, not under the form.
        if (!(error instanceof ApiRefusal && error.field === 'username')) throw error;
        setErrors({ username: error.message });
        setFocusField('username');
      }
    });
  };
  // An edit takes back the errors it makes untrue, and the form's failure: it was about the values before.
  const set = (field: AddUserField) => (value: string) => {
    const next = { ...form, [field]: value };
    setForm(next);
    setErrors(errorsAfterEdit(errors, next, field));
    clear();
  };
  return (
    <Dialog open={open} titleId="add-title" title="Add a database user" onClose={close} busy={busy} fallbackFocus="add-user">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <p class="hint" id="add-where">
          {database === undefined
            ? `In namespace ${namespace}.`
            : `On database ${database.databaseName === '' ? database.name : database.databaseName} (Database ${database.name}), in namespace ${namespace}.`}
        </p>
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
              clear();
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
          {/* aria-disabled, not disabled, while it runs: a disabled button drops the focus to the page. */}
          <button type="submit" class="primary" aria-disabled={busy}>
            Add user
          </button>
        </div>
      </form>
    </Dialog>
  );
}
