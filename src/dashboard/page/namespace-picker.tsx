/** The namespace whose users are shown: a list when the person may list namespaces, else a name to type. */
import { useState } from 'preact/hooks';
import type { NamespaceChoice } from '../wire.js';

export function NamespacePicker({
  choice,
  namespace,
  onPick,
}: {
  choice: NamespaceChoice | undefined;
  namespace: string;
  onPick: (namespace: string) => void;
}) {
  const [typed, setTyped] = useState(namespace);
  if (choice?.available !== undefined) {
    const options = choice.available.includes(namespace) ? choice.available : [namespace, ...choice.available];
    return (
      <div class="namespace-picker">
        <label for="namespace">Namespace</label>
        <select
          id="namespace"
          value={namespace}
          onChange={(event) => {
            onPick(event.currentTarget.value);
          }}
        >
          {options.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
    );
  }
  return (
    <form
      class="namespace-picker"
      onSubmit={(event) => {
        event.preventDefault();
        if (typed.trim() !== '') onPick(typed.trim());
      }}
    >
      <label for="namespace">Namespace</label>
      <input
        id="namespace"
        value={typed}
        spellcheck={false}
        onInput={(event) => {
          setTyped(event.currentTarget.value);
        }}
      />
      <button type="submit">Show</button>
    </form>
  );
}
