/**
 * The nodes' English and Polish catalogs and help: the same keys with the same `__placeholders__`,
 * help in both languages, and words for every code the config dialog can be answered with.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../src/errors';

const NODES = path.join(__dirname, '../../../nodes');
const LANGS = ['en-US', 'pl'];

/** Every node folder with locales. */
const nodeTypes = fs
  .readdirSync(NODES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(NODES, d.name, 'locales')))
  .map((d) => d.name);

function catalog(type: string, lang: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(NODES, type, 'locales', lang, `${type}.json`), 'utf8'));
}

/** `key.path` → text of every leaf. */
function leaves(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (typeof v === 'object' && v !== null)
      for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, String(v));
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();

describe('node catalogs and help in English and Polish', () => {
  it('finds the nodes', () => {
    assert.ok(nodeTypes.includes('elicznik-config') && nodeTypes.length >= 5, nodeTypes.join());
  });

  for (const type of nodeTypes) {
    it(`${type}: the same keys, each with the same placeholders, and help in both languages`, () => {
      const [en, pl] = LANGS.map((lang) => leaves(catalog(type, lang)));
      assert.deepEqual([...pl.keys()].sort(), [...en.keys()].sort());
      for (const [key, text] of en) {
        assert.ok(text.trim() && pl.get(key)?.trim(), `${type}: ${key} is empty`);
        assert.deepEqual(placeholders(pl.get(key) ?? ''), placeholders(text), `${type}: ${key}`);
      }
      for (const lang of LANGS) {
        const help = fs.readFileSync(path.join(NODES, type, 'locales', lang, `${type}.html`), 'utf8');
        assert.match(help, new RegExp(`data-help-name="${type}"`), `${type}: ${lang} help`);
      }
    });
  }

  for (const type of nodeTypes) {
    it(`${type}: every catalog key its editor file names exists`, () => {
      const html = fs.readFileSync(path.join(NODES, type, `${type}.html`), 'utf8');
      const named = [
        ...[...html.matchAll(/data-i18n="([^"]+)"/g)].flatMap((m) => m[1].split(';')),
        ...[...html.matchAll(/_\(\s*['"]([\w.-]+)['"]/g)].map((m) => m[1]),
      ]
        .map((k) => k.replace(/^\[\w+\]/, ''))
        // a key ending in a dot is completed in the code (an error code, a choice)
        .filter((k) => k.startsWith(`${type}.`) && !k.endsWith('.'));
      assert.ok(named.length > 5, `${type}: ${named.length} keys`);
      const en = leaves(catalog(type, 'en-US'));
      for (const key of named) assert.ok(en.has(key), `${type}: ${key}`);
    });
  }

  it('elicznik-config: words for every code the meter point list can answer', () => {
    for (const lang of LANGS) {
      const errors = (
        catalog('elicznik-config', lang)['elicznik-config'] as { errors: Record<string, string> }
      ).errors;
      for (const code of [...ERROR_CODES, 'INTERNAL_ERROR', 'permission', 'network']) {
        assert.equal(typeof errors[code], 'string', `${lang}: ${code}`);
      }
    }
  });
});
