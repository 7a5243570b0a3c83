/** A Copy button and the line that says whether it worked (politely announced). */
import { useState } from 'preact/hooks';

export function CopyButton({ text, what, label }: { text: string; what: string; label?: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied to the clipboard.');
    } catch {
      setSaid(`Could not copy: select ${what} and copy it yourself.`);
    }
  };
  return (
    <>
      <button type="button" aria-label={label} onClick={() => void copy()}>
        Copy
      </button>
      <span role="status" class="copy-status hint">
        {said}
      </span>
    </>
  );
}
