// How a list answer begins (docs/decisions.md 150 and 187): as one JSON body when its first batch
// is the whole list, else streamed, batch after batch. A batch shorter than the batch size is
// usually the last one, but files deleted while it was read may have shortened it, so the next is
// asked for: FileService.listFiles (src/core/files/fileService.ts) ends without a query when there
// is none. In that case the answer starts with two batches held at once (under twice the batch size).

export type ListStart<T> = { whole: T[] } | { held: T[][] };

export async function startList<T>(batches: AsyncGenerator<T[], void, undefined>, options: { batchRows: number; limit?: number }): Promise<ListStart<T>> {
  const first = await batches.next();
  if (first.done) return { whole: [] };
  if (options.limit !== undefined && first.value.length >= options.limit) {
    await batches.return();
    return { whole: first.value };
  }
  if (first.value.length >= options.batchRows) return { held: [first.value] };
  const next = await batches.next();
  if (next.done) return { whole: first.value };
  return { held: [first.value, next.value] };
}
