// The query-string parser every route uses (Fastify's routerOptions.querystringParser).
// Real clients send names unencoded: `name=Q4%20plan%20100%%20done.pdf` is an app's
// `Q4 plan 100% done.pdf` with the `%` left as it was. Fastify's default parser
// (fast-querystring) keeps a whole value undecoded when one escape in it is invalid; a browser, and
// `URLSearchParams`, decode every valid escape and keep the stray `%` (docs/decisions.md 75).
// fast-querystring is kept for strings with no `%` at all (nothing to decode but `+`), the common
// case and its fast path; anything with a `%` goes through URLSearchParams, the WHATWG parser.
import fastQuerystring from 'fast-querystring';

export type ParsedQuery = Record<string, string | string[]>;

export function parseQueryString(text: string): ParsedQuery {
  if (!text.includes('%')) return fastQuerystring.parse(text) as ParsedQuery;
  const query: ParsedQuery = Object.create(null) as ParsedQuery;
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = query[name];
    if (seen === undefined) query[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else query[name] = [seen, value];
  }
  return query;
}
