import { describe, expect, it } from '@jest/globals';
import { renderBoxedTable } from '../../../src/cli/table.js';

describe('renderBoxedTable', () => {
  it("draws the provider's table: columns as wide as their widest cell, one space of padding, header cells centred, rows left-aligned", () => {
    const table = renderBoxedTable(
      ['USERNAME', 'READ-ONLY', 'PROTECTED', 'PASSWORD ENCRYPTION'],
      [
        ['my_app_4553', 'false', 'true', 'SCRAM-SHA-256'],
        ['my_app_4553_ro', 'true', 'false', 'SCRAM-SHA-256'],
      ],
    );
    expect(table).toBe(
      [
        '+----------------+-----------+-----------+---------------------+',
        '|    USERNAME    | READ-ONLY | PROTECTED | PASSWORD ENCRYPTION |',
        '+----------------+-----------+-----------+---------------------+',
        '| my_app_4553    | false     | true      | SCRAM-SHA-256       |',
        '| my_app_4553_ro | true      | false     | SCRAM-SHA-256       |',
        '+----------------+-----------+-----------+---------------------+',
        '',
      ].join('\n'),
    );
  });

  it('puts the odd space of a header gap on the right, as tablewriter does', () => {
    expect(renderBoxedTable(['NAME'], [['abcdefg']]).split('\n')[1]).toBe('|  NAME   |');
    expect(renderBoxedTable(['NAME'], [['abcdef']]).split('\n')[1]).toBe('|  NAME  |');
  });

  it('has only the header box when there are no rows', () => {
    expect(renderBoxedTable(['A', 'BB'], [])).toBe('+---+----+\n| A | BB |\n+---+----+\n');
  });
});
