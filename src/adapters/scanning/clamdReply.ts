// What a clamd reply means (docs/decisions.md 86). clamd answers one line per command, ended by
// NUL for z-commands: "stream: OK", "stream: NAME FOUND", "INSTREAM size limit exceeded. ERROR",
// "... ERROR". Anything else is a failure: an unrecognised reply is never taken as clean.
import type { ScanOutcome } from '../../core/ports/virusScanner.js';

/** ClamAV's name for "above MaxFileSize/MaxScanSize/...", reported only with AlertExceedsMax yes. */
const LIMITS_EXCEEDED = /^Heuristics\.Limits\.Exceeded/;

export function interpretReply(raw: string): ScanOutcome {
  const reply = raw.replace(/[\0\r\n]+$/, '').trim();
  if (reply === 'stream: OK') return { kind: 'clean' };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found) {
    const signature = found[1].trim();
    if (LIMITS_EXCEEDED.test(signature)) {
      return { kind: 'failed', reason: `too large: the file is above clamd's scan limits (${signature})`, retry: false };
    }
    return { kind: 'infected', signature };
  }
  if (/size limit exceeded/i.test(reply)) {
    return { kind: 'failed', reason: "too large: the file is above clamd's StreamMaxLength", retry: false };
  }
  if (/ERROR$/.test(reply)) return { kind: 'failed', reason: `clamd answered an error: ${reply.slice(0, 200)}`, retry: true };
  return { kind: 'failed', reason: `clamd answered something not understood: ${JSON.stringify(reply.slice(0, 200))}`, retry: true };
}
