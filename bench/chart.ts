// The chart of a run: throughput of every transfer against the machine's limits (top), and
// requests per second against the framework's ceiling (bottom). Drawn as SVG here, rasterised to
// PNG by resvg (a Rust renderer shipped as an npm binary: no browser, no toolchain) with Debian's
// DejaVu fonts.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { importPeer } from './support/peers.js';

export interface Bar {
  label: string;
  value: number;
  group: 'limit' | 'peer' | 'datafiles';
}

export interface ChartInput {
  title: string;
  subtitle: string;
  throughput: Bar[];
  /** Vertical reference lines on the throughput panel. */
  lines: { label: string; value: number }[];
  requests: Bar[];
}

const COLOURS: Record<Bar['group'], string> = { limit: '#8c8c8c', peer: '#4a7fc1', datafiles: '#2e9e5b' };
const FONT_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(max: number): number {
  const rough = max / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 2.5, 5, 10]) if (factor * power >= rough) return factor * power;
  return 10 * power;
}

function panel(input: { bars: Bar[]; lines: { label: string; value: number }[]; unit: string; top: number; left: number; width: number; title: string }): {
  svg: string;
  height: number;
} {
  const { bars, lines, unit, top, left, width } = input;
  const barHeight = 22;
  const gap = 8;
  const plotTop = top + 30 + 13 * lines.length;
  const plotHeight = bars.length * (barHeight + gap);
  const max = Math.max(...bars.map((bar) => bar.value), ...lines.map((line) => line.value), 1) * 1.12;
  const step = niceStep(max);
  const x = (value: number) => left + (value / max) * width;
  const parts: string[] = [];
  parts.push(`<text x="${left}" y="${top + 16}" font-size="15" font-weight="bold">${escape(input.title)}</text>`);
  for (let tick = 0; tick <= max; tick += step) {
    parts.push(`<line x1="${x(tick)}" y1="${plotTop}" x2="${x(tick)}" y2="${plotTop + plotHeight}" stroke="#e3e3e3"/>`);
    parts.push(
      `<text x="${x(tick)}" y="${plotTop + plotHeight + 16}" font-size="11" text-anchor="middle" fill="#555">${Math.round(tick).toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(`<text x="${left + width / 2}" y="${plotTop + plotHeight + 34}" font-size="12" text-anchor="middle" fill="#333">${escape(unit)}</text>`);
  bars.forEach((bar, index) => {
    const y = plotTop + index * (barHeight + gap);
    parts.push(`<text x="${left - 8}" y="${y + barHeight / 2 + 4}" font-size="12" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(bar.value) - left)}" height="${barHeight}" fill="${COLOURS[bar.group]}"/>`);
    parts.push(`<text x="${x(bar.value) + 5}" y="${y + barHeight / 2 + 4}" font-size="11" fill="#222">${Math.round(bar.value).toLocaleString('en-US')}</text>`);
  });
  lines.forEach((line, index) => {
    parts.push(
      `<line x1="${x(line.value)}" y1="${plotTop - 4}" x2="${x(line.value)}" y2="${plotTop + plotHeight}" stroke="#c0392b" stroke-width="1.5" stroke-dasharray="${index === 0 ? '6,3' : '2,3'}"/>`,
    );
    parts.push(`<line x1="${x(line.value)}" y1="${plotTop - 8 - 13 * index}" x2="${x(line.value)}" y2="${plotTop - 4}" stroke="#c0392b" stroke-width="1"/>`);
    parts.push(`<text x="${x(line.value) + 4}" y="${plotTop - 6 - 13 * index}" font-size="10.5" fill="#c0392b">${escape(line.label)}</text>`);
  });
  return { svg: parts.join('\n'), height: plotTop + plotHeight + 44 - top };
}

export function chartSvg(input: ChartInput): string {
  const width = 1000;
  const left = 430;
  const plotWidth = width - left - 70;
  const parts: string[] = [];
  let y = 60;
  const throughput = panel({
    bars: input.throughput,
    lines: input.lines,
    unit: 'MiB/s (median)',
    top: y,
    left,
    width: plotWidth,
    title: 'Throughput, 1 GiB transfers',
  });
  parts.push(throughput.svg);
  y += throughput.height + 40;
  const requests = panel({
    bars: input.requests,
    lines: [],
    unit: 'requests per second (median)',
    top: y,
    left,
    width: plotWidth,
    title: 'Requests per second, 50 connections',
  });
  parts.push(requests.svg);
  y += requests.height + 20;
  const legend = (Object.entries(COLOURS) as [Bar['group'], string][])
    .map(
      ([group, colour], index) =>
        `<rect x="${left + index * 150}" y="${y}" width="14" height="14" fill="${colour}"/><text x="${left + index * 150 + 20}" y="${y + 12}" font-size="12">${{ limit: 'machine limit', peer: 'peer', datafiles: 'datafiles' }[group]}</text>`,
    )
    .join('\n');
  parts.push(legend);
  const height = y + 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans">
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="28" font-size="18" font-weight="bold">${escape(input.title)}</text>
<text x="20" y="48" font-size="12" fill="#555">${escape(input.subtitle)}</text>
${parts.join('\n')}
</svg>`;
}

export async function writeChart(input: ChartInput, pngPath: string): Promise<void> {
  const svg = chartSvg(input);
  const { Resvg } = await importPeer('@resvg/resvg-js');
  const fontFiles = FONT_FILES.filter((file) => existsSync(file));
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'width', value: 1000 },
  });
  await writeFile(pngPath, resvg.render().asPng());
}
