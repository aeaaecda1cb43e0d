import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQueryString } from './queryString.js';

describe('query strings decode like URLSearchParams (docs/decisions.md 75)', () => {
  it('decodes valid escapes and keeps a stray %', () => {
    assert.deepEqual({ ...parseQueryString('name=Q4%20plan%20100%%20done.pdf') }, { name: 'Q4 plan 100% done.pdf' });
    assert.deepEqual({ ...parseQueryString('name=100%&description=a%2Fb%zz') }, { name: '100%', description: 'a/b%zz' });
    assert.deepEqual({ ...parseQueryString('n%61me=x%41') }, { name: 'xA' }, 'names are decoded too');
  });
  it('reads + as a space and keeps a decoded %25 as %', () => {
    assert.deepEqual({ ...parseQueryString('name=a+b%25c') }, { name: 'a b%c' });
    assert.deepEqual({ ...parseQueryString('name=a+b') }, { name: 'a b' });
  });
  it('agrees with URLSearchParams on awkward values', () => {
    for (const text of ['a=%', 'a=%%', 'a=%2', 'a=%E2%82%AC', 'a=%E2%82', 'a=%FF', 'a==b', 'a', '=b', 'a=1&a=2&b=%', '   name=%20%20x']) {
      const expected: Record<string, string | string[]> = {};
      for (const [name, value] of new URLSearchParams(text)) {
        const seen = expected[name];
        expected[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
      }
      assert.deepEqual({ ...parseQueryString(text) }, expected, text);
    }
  });
  it('collects a repeated parameter into a list, with or without escapes', () => {
    assert.deepEqual({ ...parseQueryString('ids=1&ids=2') }, { ids: ['1', '2'] });
    assert.deepEqual({ ...parseQueryString('ids=1&ids=2%2C3&ids=%') }, { ids: ['1', '2,3', '%'] });
  });
  it('cannot be steered into the prototype', () => {
    const parsed = parseQueryString('__proto__=%41&constructor=x%');
    assert.equal(Object.getPrototypeOf(parsed), null);
    assert.equal(parsed.__proto__, 'A');
  });
});
