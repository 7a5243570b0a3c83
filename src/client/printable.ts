/**
 * Text shown back to a person, with control, format and lone surrogate characters escaped as
 * \u{…}: an argument or a name echoed raw could move the cursor, clear the terminal or reorder the
 * line (fuzzing finding cli-error-echoes-control-characters).
 */
export function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16)}}`);
}
