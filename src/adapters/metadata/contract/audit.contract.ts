// The contract for the audit log (issue 12, docs/decisions.md 66).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../../core/ports/metadataStore.js';
import { T0 } from './support.js';

export function auditContract(store: () => MetadataStore): void {
  describe('audit log', () => {
    const ada = { id: 1, name: 'ada' };
    const bob = { id: null, name: 'operator (command line)' };

    it('an appended event reads back whole, details included', async () => {
      const event = await store().audit.append({
        at: T0,
        kind: 'file.deleted',
        actor: ada,
        fileId: 7,
        subject: 'file:7',
        details: { method: 'DELETE', nested: { a: [1, 2] } },
      });
      assert.ok(event.id > 0);
      assert.deepEqual(event, {
        id: event.id,
        at: T0,
        kind: 'file.deleted',
        actorId: 1,
        actorName: 'ada',
        fileId: 7,
        subject: 'file:7',
        details: { method: 'DELETE', nested: { a: [1, 2] } },
      });
      assert.deepEqual(await store().audit.list({ limit: 10 }), [event]);
    });

    it('lists newest first, filtered by actor, file, kind and time, paged with before', async () => {
      const events = [];
      for (let index = 0; index < 6; index += 1) {
        events.push(
          await store().audit.append({
            at: T0 + index * 1000,
            kind: index % 2 === 0 ? 'token.created' : 'user.disabled',
            actor: index < 3 ? ada : bob,
            fileId: index === 4 ? 9 : null,
            subject: `s${index}`,
          }),
        );
      }
      const ids = (list: Array<{ id: number }>) => list.map((event) => event.id);
      assert.deepEqual(ids(await store().audit.list({ limit: 10 })), ids([...events].reverse()));
      assert.deepEqual(ids(await store().audit.list({ actor: 'ada', limit: 10 })), ids([events[2], events[1], events[0]]));
      assert.deepEqual(ids(await store().audit.list({ fileId: 9, limit: 10 })), [events[4].id]);
      assert.deepEqual(ids(await store().audit.list({ kind: 'user.disabled', limit: 10 })), ids([events[5], events[3], events[1]]));
      assert.deepEqual(ids(await store().audit.list({ from: T0 + 1000, to: T0 + 3000, limit: 10 })), ids([events[2], events[1]]));
      const first = await store().audit.list({ limit: 2 });
      const next = await store().audit.list({ limit: 2, before: first[1].id });
      assert.deepEqual(ids(next), ids([events[3], events[2]]));
      assert.equal(await store().audit.deleteOlderThan(T0 + 2000), 2);
      assert.deepEqual(ids(await store().audit.list({ limit: 10 })), ids([events[5], events[4], events[3], events[2]]));
    });
  });
}
