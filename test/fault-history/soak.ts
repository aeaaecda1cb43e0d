// `npm run soak -- --minutes N [--seed S]`: the fault history (history.ts) for longer than the
// two minutes `npm test` gives it. Exit status 1 when any violation was found.
import { parseArgs } from 'node:util';
import { runFaultHistory } from './history.js';
import { seedFrom } from './seeded.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string' }, clients: { type: 'string', default: '8' } } });
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`--minutes must be a positive number, not ${values.minutes}`);
const result = await runFaultHistory({ seed: values.seed ?? seedFrom(process.env), durationMs: minutes * 60_000, clients: Number(values.clients) });
process.exitCode = result.violations.length === 0 ? 0 : 1;
