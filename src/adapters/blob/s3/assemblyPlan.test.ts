// How staged parts become S3 multipart parts: copied by S3 whenever the sizes allow, streamed
// through the server only for runs of small parts, and always valid for S3.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planAssembly, S3_LIMITS, type PlanLimits, type StagedPiece, type TargetPart } from './assemblyPlan.js';

const MiB = 1024 * 1024;
const pieces = (...sizes: number[]): StagedPiece[] => sizes.map((sizeBytes, position) => ({ objectName: `part-${position + 1}`, sizeBytes }));
const kinds = (plan: readonly TargetPart[]): string[] => plan.map((part) => part.kind);
const streamedBytes = (plan: readonly TargetPart[]): number => plan.filter((part) => part.kind === 'stream').reduce((total, part) => total + part.sizeBytes, 0);

/** Every S3 rule, and the plan covers the pieces' bytes exactly once, in order. */
function assertValidPlan(plan: readonly TargetPart[], input: readonly StagedPiece[], limits: PlanLimits = S3_LIMITS): void {
  assert.ok(plan.length <= limits.maxParts, 'at most maxParts parts');
  plan.forEach((part, position) => {
    if (position < plan.length - 1) assert.ok(part.sizeBytes >= limits.minPartBytes, `part ${position + 1} is at least the minimum`);
    assert.ok(part.sizeBytes <= limits.maxPartBytes, `part ${position + 1} is at most the maximum`);
    assert.ok(part.sizeBytes > 0);
  });
  const covered = plan.flatMap((part) => (part.kind === 'copy' ? [part.segment] : part.segments));
  let expected = { piece: 0, offset: 0 };
  for (const segment of covered) {
    while (input[expected.piece].sizeBytes === 0) expected = { piece: expected.piece + 1, offset: 0 };
    assert.equal(segment.objectName, input[expected.piece].objectName);
    assert.equal(segment.start, expected.offset);
    assert.ok(segment.end >= segment.start && segment.end < input[expected.piece].sizeBytes);
    expected =
      segment.end + 1 === input[expected.piece].sizeBytes ? { piece: expected.piece + 1, offset: 0 } : { piece: expected.piece, offset: segment.end + 1 };
  }
  const total = input.reduce((sum, piece) => sum + piece.sizeBytes, 0);
  assert.equal(
    plan.reduce((sum, part) => sum + part.sizeBytes, 0),
    total,
  );
}

describe('assembly plan for S3 multipart completion', () => {
  it('parts of 5 MiB and more, with a small last one, are all copied whole by S3', () => {
    const input = pieces(5 * MiB + 3, 6 * MiB, 1_234);
    const plan = planAssembly(input);
    assert.deepEqual(kinds(plan), ['copy', 'copy', 'copy']);
    assert.ok(plan.every((part) => part.kind === 'copy' && part.wholeObject));
    assert.equal(streamedBytes(plan), 0);
    assertValidPlan(plan, input);
  });

  it('one small part alone is copied, being the last part', () => {
    const plan = planAssembly(pieces(10));
    assert.deepEqual(kinds(plan), ['copy']);
    assertValidPlan(plan, pieces(10));
  });

  it('small parts are gathered into one streamed part', () => {
    const input = pieces(100, 1, 4_096, 33);
    const plan = planAssembly(input);
    assert.deepEqual(kinds(plan), ['stream']);
    assert.equal(plan[0].sizeBytes, 4_230);
    assertValidPlan(plan, input);
  });

  it('a small part before a large one borrows just enough of it to reach 5 MiB, and the rest is copied', () => {
    const input = pieces(1_024, 20 * MiB, 1_024);
    const plan = planAssembly(input);
    assert.deepEqual(kinds(plan), ['stream', 'copy', 'copy']);
    assert.equal(plan[0].sizeBytes, 5 * MiB);
    assert.equal(streamedBytes(plan), 5 * MiB);
    assert.deepEqual(plan[1].kind === 'copy' && plan[1].segment, { objectName: 'part-2', start: 5 * MiB - 1_024, end: 20 * MiB - 1 });
    assertValidPlan(plan, input);
  });

  it('many small parts become 5 MiB streamed parts and a smaller last one', () => {
    const input = pieces(...Array.from({ length: 300 }, () => 100 * 1024));
    const plan = planAssembly(input);
    assert.deepEqual(kinds(plan), ['stream', 'stream', 'stream', 'stream', 'stream', 'stream']);
    assertValidPlan(plan, input);
  });

  it('empty parts contribute nothing, and an upload of only empty parts plans nothing', () => {
    assert.deepEqual(planAssembly(pieces(0, 0)), []);
    const input = pieces(0, 6 * MiB, 0, 7);
    const plan = planAssembly(input);
    assert.deepEqual(kinds(plan), ['copy', 'copy']);
    assertValidPlan(plan, input);
  });

  it('a part larger than the largest S3 part is copied in ranges, none of them too small', () => {
    const limits: PlanLimits = { minPartBytes: 5, maxPartBytes: 20, maxParts: 10_000 };
    const input = pieces(41, 3);
    const plan = planAssembly(input, limits);
    assert.deepEqual(
      plan.map((part) => part.sizeBytes),
      [20, 16, 5, 3],
    );
    assertValidPlan(plan, input, limits);
  });

  it('when copying would need more parts than allowed, everything is streamed in larger parts', () => {
    const limits: PlanLimits = { minPartBytes: 5, maxPartBytes: 1_000, maxParts: 4 };
    const input = pieces(1, 6, 1, 6, 1, 6, 1);
    const plan = planAssembly(input, limits);
    assert.ok(plan.every((part) => part.kind === 'stream'));
    assertValidPlan(plan, input, limits);
  });

  it('stays valid for arbitrary mixes of sizes', () => {
    const limits: PlanLimits = { minPartBytes: 50, maxPartBytes: 400, maxParts: 10_000 };
    let seed = 42;
    const random = (below: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let round = 0; round < 500; round += 1) {
      const input = pieces(...Array.from({ length: 1 + random(12) }, () => (random(3) === 0 ? random(1_000) : random(60))));
      const plan = planAssembly(input, limits);
      assertValidPlan(plan, input, limits);
      if (input.slice(0, -1).every((piece) => piece.sizeBytes >= limits.minPartBytes && piece.sizeBytes <= limits.maxPartBytes)) {
        assert.equal(streamedBytes(plan), 0, 'parts that S3 accepts as they are are only copied');
      }
    }
  });
});
