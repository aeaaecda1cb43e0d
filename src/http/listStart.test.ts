// startList (src/http/listStart.ts): whether a list is answered whole or streamed, read off its
// first batches, with a deleted file having shortened a batch that is not the last.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startList } from './listStart.js';

/** The batches, and how many of them were asked for. */
function batchesOf(batches: number[][]): { generator: AsyncGenerator<number[], void, undefined>; asked: () => number } {
  let asked = 0;
  async function* generate(): AsyncGenerator<number[], void, undefined> {
    for (const batch of batches) {
      asked += 1;
      yield batch;
    }
  }
  return { generator: generate(), asked: () => asked };
}

describe('startList', () => {
  it('an empty list is answered whole', async () => {
    assert.deepEqual(await startList(batchesOf([]).generator, { batchRows: 2 }), { whole: [] });
  });

  it('one short batch is the whole list', async () => {
    assert.deepEqual(await startList(batchesOf([[1]]).generator, { batchRows: 2 }), { whole: [1] });
  });

  it('a full first batch starts a stream without reading the next', async () => {
    const batches = batchesOf([[1, 2], [3]]);
    assert.deepEqual(await startList(batches.generator, { batchRows: 2 }), { held: [[1, 2]] });
    assert.equal(batches.asked(), 1);
  });

  it('a short first batch followed by another starts a stream with both', async () => {
    const batches = batchesOf([[1], [3, 4], [5]]);
    const start = await startList(batches.generator, { batchRows: 2 });
    assert.deepEqual(start, { held: [[1], [3, 4]] });
    const rest = [];
    for await (const batch of batches.generator) rest.push(batch);
    assert.deepEqual(rest, [[5]]);
  });

  it('a short first batch under a limit above the batch size starts a stream with the next', async () => {
    const batches = batchesOf([[1], [3, 4]]);
    assert.deepEqual(await startList(batches.generator, { batchRows: 2, limit: 10 }), { held: [[1], [3, 4]] });
  });

  it('a first batch shorter than a limit within one batch still asks for the next', async () => {
    const batches = batchesOf([[1], [3]]);
    assert.deepEqual(await startList(batches.generator, { batchRows: 2, limit: 2 }), { held: [[1], [3]] });
  });

  it('a limit within one batch is answered whole, and the batches are closed', async () => {
    const batches = batchesOf([[1, 2], [3]]);
    assert.deepEqual(await startList(batches.generator, { batchRows: 2, limit: 2 }), { whole: [1, 2] });
    assert.deepEqual(await batches.generator.next(), { done: true, value: undefined });
  });
});
