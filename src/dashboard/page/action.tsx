/** A dialog's one action at a time: its progress while it runs and its failure afterwards. */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Runs one action at a time and keeps its failure for display; `clear` forgets it (on close). */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setFailure('');
    try {
      await action();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setFailure('');
  };
  return { busy, failure, run, clear };
}

/**
 * The action's progress (announced politely) and its failure (an alert). A failure takes the focus:
 * the button that started the action may be gone or disabled, and the person's next Tab should
 * start from what went wrong, not from the top of the page.
 */
export function Outcome({ busy, failure, progress }: { busy: boolean; failure: string; progress: string }) {
  const alert = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    if (failure !== '') alert.current?.focus();
  }, [failure]);
  return (
    <>
      <p role="status" class="progress">
        {busy ? progress : ''}
      </p>
      {failure ? (
        <p ref={alert} role="alert" class="error" tabIndex={-1}>
          {failure}
        </p>
      ) : null}
    </>
  );
}
