// Tests wait on a condition, never for a fixed time (a sleep is a flake: too short on a busy
// machine, wasted on an idle one). test/support/stalls.ts has the same poll for its own callers.

/** Polls `condition` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; what?: string; intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resume) => setTimeout(resume, options.intervalMs ?? 10));
  }
}
