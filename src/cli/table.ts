/** A cell centred in `width` as tablewriter centres header cells: the odd space of the gap goes to the right. */
function centre(text: string, width: number): string {
  const gap = width - text.length;
  if (gap <= 0) return text;
  const left = Math.floor(gap / 2);
  return `${' '.repeat(left)}${text}${' '.repeat(gap - left)}`;
}

/**
 * The provider's boxed table (its CLI draws it with Go's tablewriter): `+---+` borders above and below
 * the header and after the last row, each cell padded by one space; header cells centred in their
 * column, row cells left-aligned to the column's widest value.
 */
export function renderBoxedTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const border = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  const line = (cells: readonly string[], align: (text: string, width: number) => string): string =>
    `|${widths.map((width, column) => ` ${align(cells[column] ?? '', width)} `).join('|')}|`;
  const header = line(headers, centre);
  const body = rows.map((row) => line(row, (text, width) => text.padEnd(width)));
  return [border, header, border, ...body, ...(rows.length > 0 ? [border] : []), ''].join('\n');
}
