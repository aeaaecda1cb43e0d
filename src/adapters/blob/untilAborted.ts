// Racing a promise against an AbortSignal, for the waits a signal cannot cancel by itself: a plain
// async generator stuck awaiting (a stalled client), a stream's 'drain' that never comes, a
// buffer that a destroyed socket never hands back. The stores stop waiting as soon as the signal
// aborts; whatever the promise does later is ignored.

/** `promise`, or a rejection with the signal's reason if the signal aborts first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  promise.catch(() => undefined); // If the signal wins, a late rejection is nobody's business.
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
