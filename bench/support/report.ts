// The report of a bench run: the targets the issues set on the medians, and the Markdown tables
// (BENCHMARKS.md) of figures, targets and a --compare run. Used by bench/run.ts.
import type { Figure } from './family.js';

export interface Target {
  name: string;
  value: number;
  goal: string;
  met: boolean | undefined;
  display: string;
}

export function targets(medians: Record<string, number>, scaleOut: boolean): Target[] {
  const m = (id: string) => medians[id];
  const list: Target[] = [];
  const ratio = (name: string, numerator: number, denominator: number, minimum: number | undefined) => {
    const value = numerator / denominator;
    if (!Number.isFinite(value)) return;
    list.push({
      name,
      value,
      goal: minimum === undefined ? 'reported' : `≥ ${minimum}`,
      met: minimum === undefined ? undefined : value >= minimum,
      display: `${value.toFixed(2)} ×`,
    });
  };
  const below = (name: string, value: number, limit: number, unit: string) => {
    if (!Number.isFinite(value)) return;
    list.push({ name, value, goal: `< ${limit} ${unit}`, met: value < limit, display: `${value.toFixed(unit === 'ms' ? 1 : unit === 's' ? 2 : 0)} ${unit}` });
  };
  const ceiling = Math.min(m('limits.disk'), m('limits.md5'));
  for (const prefix of scaleOut ? ['datafiles', 'datafiles.s3'] : ['datafiles']) {
    const tag = prefix === 'datafiles' ? '' : ' (PostgreSQL + S3)';
    ratio(`single upload / min(disk+fsync, MD5)${tag}`, m(`${prefix}.upload`), ceiling, 0.85);
    ratio(`single upload / naive Fastify${tag}`, m(`${prefix}.upload`), m('naive.upload'), 1.8);
    ratio(`single upload / @tus/server (cost of integrity)${tag}`, m(`${prefix}.upload`), m('tus.patch'), undefined);
    ratio(`multipart end to end / min(disk+fsync, MD5)${tag}`, m(`${prefix}.multipart`), ceiling, 0.8);
    below(`multipart commit latency${tag}`, m(`${prefix}.multipart.commit`), 1000, 'ms');
    ratio(`download / nginx GET${tag}`, m(`${prefix}.download`), m('nginx.get'), 0.8);
    ratio(`GET details / bare Fastify req/s${tag}`, m(`${prefix}.details.rps`), m('fastify.hello.rps'), 0.5);
    below(`GET details p99${tag}`, m(`${prefix}.details.p99`), 10, 'ms');
    below(`list of 10,000 files${tag}`, m(`${prefix}.list`), 100, 'ms');
    below(`peak RSS, 4 concurrent uploads${tag}`, m(`${prefix}.rss`), 200, 'MiB');
  }
  if (scaleOut) ratio('mixed small operations: 3 servers on PostgreSQL + S3 / 1 embedded', m('mixed.s3'), m('mixed.embedded'), 0.7);
  ratio('multipart end to end / single upload', m('datafiles.multipart'), m('datafiles.upload'), 0.8);
  below('single upload: server CPU per GiB', m('datafiles.upload.cpu'), 3.0, 's');
  ratio('naive Fastify / min(disk+fsync, MD5) (for reference)', m('naive.upload'), ceiling, undefined);
  return list;
}

/** Each figure of the current server against the same figure of --compare's. */
export function comparisonTable(figures: Map<string, Figure>, medians: Record<string, number>, baseline: string): string {
  const lines = [`| measurement | before (${baseline}) | after | after / before |`, '|---|---:|---:|---:|'];
  for (const [id, figure] of figures) {
    if (!id.startsWith('datafiles.before.')) continue;
    const current = id.replace(/^datafiles\.before\./, 'datafiles.');
    if (!figures.has(current)) continue;
    const ratio = medians[current] / medians[id];
    lines.push(
      `| ${figures.get(current)!.label} | ${formatValue(medians[id], figure.unit)} | ${formatValue(medians[current], figure.unit)} | ${ratio.toFixed(2)} × |`,
    );
  }
  return lines.join('\n');
}

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === 's' || unit === 'cores') return value.toFixed(2);
  if (unit === 'CPU-ms/op') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export function markdownTables(figures: Map<string, Figure>, samples: Map<string, number[]>, medians: Record<string, number>, goals: Target[]): string {
  const lines = ['| measurement | median | unit | samples |', '|---|---:|---|---|'];
  for (const [id, figure] of figures) {
    const values = samples.get(id) ?? [];
    lines.push(
      `| ${figure.label} | ${formatValue(medians[id], figure.unit)} | ${figure.unit} | ${values.map((value) => formatValue(value, figure.unit)).join(', ')} |`,
    );
  }
  lines.push('', '| target | this run | goal | met |', '|---|---:|---|:---:|');
  for (const target of goals)
    lines.push(`| ${target.name} | ${target.display} | ${target.goal} | ${target.met === undefined ? '' : target.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}
