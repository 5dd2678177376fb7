import assert from 'node:assert/strict';
import { jsonLineParts, jsonLines } from '../../src/cli/format';

describe('cli: JSON lines', () => {
  it('writes one element per line as one JSON document, also in parts that join to the same text', () => {
    assert.equal(jsonLines([]), '[]\n');
    assert.equal(jsonLines([{ a: 1 }]), '[\n{"a":1}\n]\n');
    assert.equal(jsonLines([{ a: 1 }, null, 'ł']), '[\n{"a":1},\nnull,\n"ł"\n]\n');
    for (const n of [0, 1, 2, 3, 4, 5, 7, 1001]) {
      const items = Array.from({ length: n }, (_, i) => ({
        i,
        zone: i % 2 ? 'T1' : null,
        name: 'Cała doba',
      }));
      const text = jsonLines(items);
      assert.deepEqual(JSON.parse(text), items);
      assert.equal(text.split('\n').length, n === 0 ? 2 : n + 3);
      for (const per of [1, 2, 3, 500]) {
        const parts = [...jsonLineParts(items, per)];
        assert.equal(parts.join(''), text, `${n} items in parts of ${per}`);
        assert.equal(parts.length, Math.max(1, Math.ceil(n / per)));
      }
    }
  });
});
