/** A password shown once: masked until revealed, with a copy button; nothing of it is kept after closing. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

export function PasswordOnce({ username, password }: { username: string; password: string }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState('');
  const input = useRef<HTMLInputElement>(null);
  // In a dialog already open (Reset), autofocus does not apply: the button that was pressed is gone.
  // A layout effect, so the password has focus as soon as it is shown.
  useLayoutEffect(() => {
    input.current?.focus();
  }, []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Could not copy: select the password and copy it yourself.');
    }
  };
  const field = { ref: input, id: 'password-once', readOnly: true, value: password, autocomplete: 'off', spellcheck: false, autofocus: true };
  return (
    <div class="password-once">
      <label for="password-once">New password of {username}</label>
      <div class="password-field">
        {shown ? <input type="text" {...field} /> : <input type="password" {...field} />}
        <button
          type="button"
          aria-pressed={shown}
          onClick={() => {
            setShown(!shown);
          }}
        >
          {shown ? 'Hide' : 'Show'}
        </button>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copied}
      </p>
      <p class="warning">This password is shown only this once. Copy it now; it is also stored in the user's credentials Secret in the cluster.</p>
    </div>
  );
}
