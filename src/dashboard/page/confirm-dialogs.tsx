/** Reset password (confirm, then the new one shown once) and Delete user (confirm by typing the username). */
import { useState } from 'preact/hooks';
import type { PasswordResult, UserRow } from '../wire.js';
import { Outcome, useAction } from './action.js';
import { dashboardApi } from './api.js';
import { Dialog } from './dialog.js';
import { PasswordOnce } from './password-once.js';
import { rowId } from './users-table.js';

export function ResetPasswordDialog({ namespace, row, onClose }: { namespace: string; row: UserRow | undefined; onClose: () => void }) {
  const { busy, failure, run, clear } = useAction();
  const [result, setResult] = useState<PasswordResult | undefined>();
  const close = () => {
    setResult(undefined);
    clear();
    onClose();
  };
  const fallback = row ? `${rowId(row)}-button` : 'add-user';
  return (
    <Dialog
      open={row !== undefined}
      titleId="reset-title"
      title={`Reset the password of ${row?.username ?? ''}`}
      onClose={close}
      busy={busy}
      fallbackFocus={fallback}
    >
      {result?.password !== undefined ? (
        <>
          <PasswordOnce username={result.username} password={result.password} />
          <div class="buttons">
            <button type="button" class="primary" onClick={close}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <p>A new password is generated and the current one stops working. Applications that use it need the new one.</p>
          <Outcome busy={busy} failure={failure} progress="Resetting; waiting for the operator to apply the new password…" />
          <div class="buttons">
            <button type="button" onClick={close} disabled={busy} autofocus>
              Cancel
            </button>
            <button
              type="button"
              class="primary"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  if (row) setResult(await dashboardApi.resetPassword(namespace, row.name));
                })
              }
            >
              Reset password
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}

export function DeleteUserDialog({
  namespace,
  row,
  onClose,
  onDeleted,
}: {
  namespace: string;
  row: UserRow | undefined;
  onClose: () => void;
  onDeleted: (username: string) => void;
}) {
  const { busy, failure, run, clear } = useAction();
  const [typed, setTyped] = useState('');
  const close = () => {
    setTyped('');
    clear();
    onClose();
  };
  const username = row?.username ?? '';
  return (
    <Dialog open={row !== undefined} titleId="delete-title" title={`Delete user ${username}`} onClose={close} busy={busy} fallbackFocus="add-user">
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!row || typed !== username) return;
          void run(async () => {
            await dashboardApi.deleteUser(namespace, row.name);
            setTyped('');
            onDeleted(username);
          });
        }}
      >
        <p>The role is dropped from PostgreSQL; what it owns goes to the database owner. This cannot be undone.</p>
        <div class="field">
          <label for="delete-confirm">Type {username} to confirm</label>
          <input
            id="delete-confirm"
            value={typed}
            autocomplete="off"
            spellcheck={false}
            autofocus
            onInput={(event) => {
              setTyped(event.currentTarget.value);
            }}
          />
        </div>
        <Outcome busy={busy} failure={failure} progress="Deleting; waiting for the operator to drop the role…" />
        <div class="buttons">
          <button type="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy || typed !== username}>
            Delete user
          </button>
        </div>
      </form>
    </Dialog>
  );
}
