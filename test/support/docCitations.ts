// Finds citations of the design record (docs/) in source files and says which ones name nothing:
// a docs file that does not exist, a decision number with no entry, a heading a document does not
// have, a quote it does not contain. Hand-written: no library knows this project's citation forms.
//
// The forms, as comments write them (docs/contributing.md, "Comments and the design record"):
//   docs/decisions.md 4            docs/decisions.md 16–19, 22 and 25     docs/decisions.md's rules
//   docs/architecture.md, "The write path"        docs/architecture.md, convention 5
//   docs/architecture.md: "never buffer the whole thing"  (a quote)    docs/history.md, issue 3, item 7
// A citation may continue on the next comment line. A bare decisions or architecture file name,
// without docs/ in front, is reported too: those files are only in the repo under docs/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Source {
  /** Path relative to the repo root, for messages. */
  file: string;
  text: string;
}

export interface Problem {
  file: string;
  line: number;
  citation: string;
  problem: string;
}

/** What the docs hold, read once. */
export interface DocIndex {
  /** Whether `docs/...` (a path relative to the repo root) exists. */
  exists(relativePath: string): boolean;
  /** The text of a file (relative to the repo root), or undefined when it does not exist. */
  read(relativePath: string): string | undefined;
  /** Decision number → where its entries are (more than one place is a problem). */
  decisions: Map<number, string[]>;
}

const DECISIONS = 'docs/decisions.md';
const PENDING_DECISIONS = 'docs/decisions';
/** The first number a piece of work in progress may give a decision (docs/decisions.md, at its top). */
const FIRST_PENDING_NUMBER = 27;

/** Between a citation's parts: spaces, and the markers that continue a comment on the next line. */
const GAP = String.raw`(?:\s|//|\*(?!/)|#)*`;
const NUMBER_LIST = String.raw`\d+(?:\s*[–-]\s*\d+)?(?:\s*(?:,|/|and)\s*\d+(?:\s*[–-]\s*\d+)?)*`;
const DOC_PATH = /(?<![\w/.-])docs\/[\w./-]+?\.md\b/g;
const BARE_NAME = /(?<![\w/.-])(decisions|architecture)\.md\b/g;

/** An entry is a heading `### N. Title` or a line starting `N. ` (also `**N.**`, `N)`). */
const ENTRY = /^(?:#{1,6}[ \t]+)?(?:\*\*)?(\d+)[.)]/gm;

export function decisionEntries(markdown: string): number[] {
  return [...markdown.matchAll(ENTRY)].map((match) => Number(match[1]));
}

export function headingsOf(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm)].map((match) => normalise(match[1]));
}

/** The slug GitHub gives a heading, for `file.md#slug` links. */
export function slugOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

function normalise(text: string): string {
  return text.replace(/[`*_]/g, '').replace(/\s+/g, ' ').trim();
}

/** A quote as a comment writes it, possibly over several comment lines, as plain words. */
function quoteText(raw: string): string {
  return normalise(raw.replace(new RegExp(String.raw`\n${GAP}`, 'g'), ' '));
}

function expandNumbers(list: string): number[] {
  const numbers: number[] = [];
  for (const item of list.split(/\s*(?:,|\/|and)\s*/)) {
    const [first, last] = item.split(/\s*[–-]\s*/).map(Number);
    if (last === undefined) numbers.push(first);
    else for (let n = first; n <= last && n - first < 100; n += 1) numbers.push(n);
  }
  return numbers;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) line += 1;
  return line;
}

/** The heading that `cited` names: the same words, or the words and then more ("The write path: …"). */
function hasHeading(markdown: string, cited: string): boolean {
  const wanted = normalise(cited).toLowerCase();
  return headingsOf(markdown).some((heading) => {
    const text = heading.toLowerCase();
    return text === wanted || (text.startsWith(wanted) && /^[^\p{L}\p{N}]/u.test(text.slice(wanted.length)));
  });
}

/** The text of the section under a heading, up to the next heading of the same or a higher level. */
function sectionText(markdown: string, cited: string): string | undefined {
  const lines = markdown.split('\n');
  const wanted = normalise(cited).toLowerCase();
  const start = lines.findIndex((line) => /^#{1,6}\s/.test(line) && normalise(line.replace(/^#+/, '')).toLowerCase().startsWith(wanted));
  if (start === -1) return undefined;
  const level = /^#+/.exec(lines[start])![0].length;
  const end = lines.findIndex((line, index) => index > start && new RegExp(`^#{1,${level}}\\s`).test(line));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

function checkDecisionNumbers(numbers: number[], docs: DocIndex): string[] {
  return numbers.filter((n) => !docs.decisions.has(n)).map((n) => `${DECISIONS} has no entry ${n}`);
}

/** What one citation of a docs file says after the file's path, checked against that file. */
function checkCitation(docPath: string, rest: string, docs: DocIndex): string[] {
  const markdown = docs.read(docPath);
  if (markdown === undefined) return [`${docPath} does not exist`];
  const problems: string[] = [];
  if (docPath === DECISIONS) {
    const numbers = new RegExp(String.raw`^(?:'s)?${GAP}(${NUMBER_LIST})`).exec(rest);
    if (numbers) problems.push(...checkDecisionNumbers(expandNumbers(numbers[1]), docs));
  }
  const heading = new RegExp(String.raw`^,${GAP}"([^"]+)"`).exec(rest);
  if (heading && !hasHeading(markdown, heading[1])) problems.push(`${docPath} has no heading "${quoteText(heading[1])}"`);
  const quote = new RegExp(String.raw`^:${GAP}"([^"]+)"`).exec(rest);
  if (quote && !normalise(markdown).includes(quoteText(quote[1]))) problems.push(`${docPath} does not say "${quoteText(quote[1])}"`);
  const conventions = new RegExp(String.raw`^,${GAP}conventions?${GAP}(${NUMBER_LIST})`).exec(rest);
  if (conventions) {
    const section = sectionText(markdown, 'Conventions') ?? '';
    const present = new Set(decisionEntries(section));
    for (const n of expandNumbers(conventions[1])) if (!present.has(n)) problems.push(`${docPath} has no convention ${n}`);
  }
  const issue = new RegExp(String.raw`^,${GAP}issue${GAP}(\d+)(?:,${GAP}items?${GAP}(${NUMBER_LIST}))?`).exec(rest);
  if (issue) {
    const section = sectionText(markdown, `Issue ${issue[1]}`);
    if (section === undefined) problems.push(`${docPath} has no section "Issue ${issue[1]}"`);
    else if (issue[2]) {
      const present = new Set(decisionEntries(section));
      for (const n of expandNumbers(issue[2])) if (!present.has(n)) problems.push(`${docPath}, issue ${issue[1]} has no item ${n}`);
    }
  }
  return problems;
}

/** Citations inside the docs themselves: relative links (`[x](errors.md#anchor)`), and decision numbers after a link to the decisions file. */
function checkDocLinks(source: Source, docs: DocIndex): Problem[] {
  const problems: Problem[] = [];
  const directory = path.posix.dirname(source.file);
  for (const match of source.text.matchAll(/\]\(([\w./-]+\.md)(?:#([\w-]+))?\)/g)) {
    const target = path.posix.normalize(path.posix.join(directory, match[1]));
    const markdown = docs.read(target);
    const report = (problem: string) => problems.push({ file: source.file, line: lineOf(source.text, match.index), citation: match[0], problem });
    if (!docs.exists(target)) report(`${target} does not exist`);
    else if (match[2] && markdown !== undefined && !headingsOf(markdown).some((heading) => slugOf(heading) === match[2]))
      report(`${target} has no heading with the anchor #${match[2]}`);
  }
  for (const match of source.text.matchAll(new RegExp(String.raw`\]\(decisions\.md\)${GAP}(${NUMBER_LIST})`, 'g'))) {
    for (const problem of checkDecisionNumbers(expandNumbers(match[1]), docs)) {
      problems.push({ file: source.file, line: lineOf(source.text, match.index), citation: match[0], problem });
    }
  }
  return problems;
}

export function findProblems(sources: readonly Source[], docs: DocIndex): Problem[] {
  const problems: Problem[] = [];
  for (const [n, places] of docs.decisions) {
    if (places.length > 1)
      problems.push({
        file: places[0],
        line: 0,
        citation: `entry ${n}`,
        problem: `decision ${n} is defined more than once (${places.join(', ')}): renumber one, or delete a pending entry already merged into ${DECISIONS}`,
      });
  }
  for (const source of sources) {
    if (source.file.startsWith('docs/')) {
      problems.push(...checkDocLinks(source, docs));
      continue;
    }
    for (const match of source.text.matchAll(BARE_NAME)) {
      problems.push({
        file: source.file,
        line: lineOf(source.text, match.index),
        citation: match[0],
        problem: `cite docs/${match[0]}: the design record is in docs/`,
      });
    }
    for (const match of source.text.matchAll(DOC_PATH)) {
      const rest = source.text.slice(match.index + match[0].length, match.index + match[0].length + 400);
      for (const problem of checkCitation(match[0], rest, docs)) {
        problems.push({ file: source.file, line: lineOf(source.text, match.index), citation: (match[0] + rest.split('\n')[0]).slice(0, 120), problem });
      }
    }
  }
  return problems;
}

/** The docs of a checkout: docs/**, with decision entries from docs/decisions.md and docs/decisions/*.md. */
export function readDocIndex(repoRoot: string): DocIndex {
  const read = (relativePath: string): string | undefined => {
    const absolute = path.join(repoRoot, relativePath);
    return existsSync(absolute) && statSync(absolute).isFile() ? readFileSync(absolute, 'utf8') : undefined;
  };
  const decisions = new Map<number, string[]>();
  const pendingDirectory = path.join(repoRoot, PENDING_DECISIONS);
  const pending = existsSync(pendingDirectory)
    ? readdirSync(pendingDirectory)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `${PENDING_DECISIONS}/${name}`)
    : [];
  for (const file of [DECISIONS, ...pending]) {
    // Numbers 1–26 are the first entries and only ever in docs/decisions.md; in a pending file a line
    // such as "1. first step" is a list inside an entry, not an entry.
    const entries = decisionEntries(read(file) ?? '').filter((n) => file === DECISIONS || n >= FIRST_PENDING_NUMBER);
    for (const n of entries) decisions.set(n, [...(decisions.get(n) ?? []), file]);
  }
  return { exists: (relativePath) => existsSync(path.join(repoRoot, relativePath)), read, decisions };
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git']);
const SCANNED_EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|sh|md)$/;

/** Every text file under `directories` (and the given single files) that may hold a citation. */
export function readSources(repoRoot: string, entries: readonly string[]): Source[] {
  const sources: Source[] = [];
  const visit = (relativePath: string): void => {
    const absolute = path.join(repoRoot, relativePath);
    if (!existsSync(absolute)) return;
    if (statSync(absolute).isDirectory()) {
      for (const name of readdirSync(absolute).sort()) if (!SKIPPED_DIRECTORIES.has(name)) visit(path.posix.join(relativePath, name));
    } else if (SCANNED_EXTENSIONS.test(relativePath)) {
      sources.push({ file: relativePath, text: readFileSync(absolute, 'utf8') });
    }
  };
  for (const entry of entries) visit(entry);
  return sources;
}
