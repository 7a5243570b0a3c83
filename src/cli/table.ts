/**
 * The provider's boxed table: `+---+` borders above and below the header and after the last row,
 * each cell padded by one space and left-aligned to its column's widest value.
 */
export function renderBoxedTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const border = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  const line = (cells: readonly string[]): string => `|${widths.map((width, column) => ` ${(cells[column] ?? '').padEnd(width)} `).join('|')}|`;
  return [border, line(headers), border, ...rows.map(line), ...(rows.length > 0 ? [border] : []), ''].join('\n');
}
