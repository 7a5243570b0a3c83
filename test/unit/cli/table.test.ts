import { describe, expect, it } from '@jest/globals';
import { renderBoxedTable } from '../../../src/cli/table.js';

describe('renderBoxedTable', () => {
  it("draws the provider's table: columns as wide as their widest cell, one space of padding", () => {
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
        '| USERNAME       | READ-ONLY | PROTECTED | PASSWORD ENCRYPTION |',
        '+----------------+-----------+-----------+---------------------+',
        '| my_app_4553    | false     | true      | SCRAM-SHA-256       |',
        '| my_app_4553_ro | true      | false     | SCRAM-SHA-256       |',
        '+----------------+-----------+-----------+---------------------+',
        '',
      ].join('\n'),
    );
  });

  it('has only the header box when there are no rows', () => {
    expect(renderBoxedTable(['A', 'BB'], [])).toBe('+---+----+\n| A | BB |\n+---+----+\n');
  });
});
