// How the admin commands print a list (issue 12): a table for a person at a terminal, one JSON
// object per line for a program; one record is always one JSON line (as these commands always did).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatResult } from './adminCommands.js';

const list = {
  list: [
    { id: 1, name: 'alice', disabledAt: null },
    { id: 12, name: 'bob', disabledAt: '2026-01-01T00:00:00.000Z' },
  ],
  columns: ['id', 'name', 'disabledAt'],
};

describe('admin command output', () => {
  it('a list on a terminal is an aligned table with a header', () => {
    assert.equal(formatResult(list, true), ['id  name   disabledAt', '1   alice  -', '12  bob    2026-01-01T00:00:00.000Z', ''].join('\n'));
    assert.equal(formatResult({ list: [], columns: ['id'] }, true), '(none)\n');
  });

  it('a list otherwise is one JSON object per line; one record is one JSON line either way', () => {
    assert.deepEqual(
      formatResult(list, false)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
      list.list,
    );
    assert.equal(formatResult({ one: { token: 'dfp_x' } }, true), '{"token":"dfp_x"}\n');
  });
});
