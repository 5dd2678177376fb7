import assert from 'node:assert/strict';
import { scanForm, scanOptions } from '../../src/client/html-scan';
import { formWithCheerio, optionsWithCheerio } from '../../src/client/pages';
import { DEMO_ACCOUNT } from '../../src/simulator';
import { loginPage, startPage } from '../../src/simulator/pages';
import { KEYCLOAK_FORM, START_PAGE } from './page-fixtures';

const ACTION =
  'https://logowanie.tauron-dystrybucja.pl/realms/tauron/login-actions/authenticate?session_code=abc&execution=e-1&client_id=elicznik&tab_id=t1';

/** The quick reading equals cheerio's, or the quick reader declines; returns whether it answered. */
function sameForm(html: string): boolean {
  const scanned = scanForm(html, 'kc-form-login');
  if (scanned !== undefined) assert.deepEqual(scanned, formWithCheerio(html), html);
  return scanned !== undefined;
}

function sameOptions(html: string): boolean {
  const scanned = scanOptions(html);
  if (scanned !== undefined) assert.deepEqual(scanned, optionsWithCheerio(html), html);
  return scanned !== undefined;
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<form id="kc-form-login" action="/a?x=1&amp;y=2">',
  '<FORM ID=kc-form-login ACTION=/b>',
  "<form action='/c' id='kc-form-login' id=other>",
  '<form id="other" action="/d">',
  '<form>',
  '</form>',
  '<input type="hidden" name="a" value="1">',
  "<input type=HIDDEN name=b value='2&quot;3'/>",
  '<input name="c" type="hidden">',
  '<input type="text" name="username" value="">',
  '<div>',
  '</div>',
  '<p>',
  '</p>',
  '<span>',
  '</span>',
  '<b>',
  '</b>',
  '<a>',
  '</a>',
  '<li>',
  '<h1>',
  '</h1>',
  '<button>',
  '</button>',
  '<object>',
  '</object>',
  '<br>',
  '</br>',
  '<table>',
  '</table>',
  '<td>',
  '<tr>',
  '<select id="site">',
  '</select>',
  '<option value="1_2_3" data-data=\'{"type": "WO"}\'>',
  '<option value=" 4_5_6 ">',
  '<option>',
  '</option>',
  '<optgroup label="x">',
  '</optgroup>',
  ' 590322400100123456 ul. Słoneczna ',
  'text',
  '&amp;',
  '&oacute;',
  '&nbsp;',
  '&copy;',
  '&amp',
  '&#65;',
  '&#x142;',
  '&#128;',
  '& ',
  '<!-- a comment -->',
  '<!-- <form id="kc-form-login" action="/hidden"> -->',
  '<!--',
  '<script>var f = "<form id=kc-form-login action=/s>";</script>',
  '<script>',
  '<style>p { }</style>',
  '<noscript><form id="kc-form-login" action="/n"></noscript>',
  '<textarea><input type="hidden" name="t" value="1"></textarea>',
  '<title>a <b> title</title>',
  '<svg><path d="M0"/></svg>',
  '<svg>',
  '</svg>',
  '<template><form id="kc-form-login" action="/t"></form></template>',
  '<math>',
  '<![CDATA[x]]>',
  '<!DOCTYPE html>',
  '<?xml version="1.0"?>',
  '</ foo>',
  '<',
  '>',
  '\r\n',
  '\n',
  '<body class="x">',
  '</body>',
  '<html>',
  '</html>',
  '<img src=x>',
];

describe('client: quick page reader', () => {
  it('reads the documented login form and meter point list without the parser, as the parser does', () => {
    assert.ok(sameForm(KEYCLOAK_FORM));
    assert.ok(sameOptions(START_PAGE));
    assert.equal(scanForm(KEYCLOAK_FORM, 'kc-form-login')?.inputs.length, 4);
    assert.equal(scanOptions(START_PAGE)?.length, 5);
  });

  it('reads the simulator pages (both login markups, the start page and the selection answer) without the parser', () => {
    for (const markup of ['single-line', 'multi-line'] as const) {
      for (const error of [undefined, 'Nieprawidłowa nazwa użytkownika lub hasło.']) {
        const html = loginPage({ action: ACTION, markup, ...(error ? { error, username: 'a@b.pl' } : {}) });
        assert.ok(sameForm(html), markup);
        assert.ok(sameOptions(html), markup);
      }
    }
    assert.ok(sameOptions(startPage(DEMO_ACCOUNT)));
    assert.ok(sameOptions(startPage(DEMO_ACCOUNT, DEMO_ACCOUNT.meterPoints[1])));
    assert.equal(scanOptions(startPage(DEMO_ACCOUNT))?.length, DEMO_ACCOUNT.meterPoints.length);
  });

  it('finds no form where there is none, and declines pages a parser would build differently', () => {
    assert.equal(scanForm('<form id="other" action="/x"></form>', 'kc-form-login'), null);
    assert.equal(scanForm('<p>nothing</p>', 'kc-form-login'), null);
    const declined = [
      '<form id="a"><form id="kc-form-login" action="/x"></form>',
      '<table><form id="kc-form-login" action="/x"><input type="hidden" name="a"></form></table>',
      '<form id="kc-form-login" action="/x"><div><input type="hidden" name="a"></form><input type="hidden" name="b">',
      '<div><form id="kc-form-login" action="/x"></div><input type="hidden" name="a"></form>',
      '<form id="kc-form-login" action="/x?a=1&b=2"></form>',
      '<form id="kc-form-login" action="/x"><input type="hidden" name="a" value="&copy;"></form>',
      '<template><form id="kc-form-login" action="/x"></form></template>',
    ];
    for (const html of declined) {
      assert.equal(scanForm(html, 'kc-form-login'), undefined, html);
      sameForm(html);
    }
    for (const html of [
      '<option value="1_2_3">a',
      '<select><option value="1_2_3">a <b>b</b></option></select>',
      '<select><option value="1_2_3">a<!-- x -->b</option></select>',
      '<table><select><option value="1_2_3">a</option></select></table>',
      '<select><option value="1_2_3">&copy;</option></select>',
      '<select><div><option value="1_2_3">a</option></select>',
    ]) {
      assert.equal(scanOptions(html), undefined, html);
      sameOptions(html);
    }
  });

  it('answers as the parser does, or not at all, on 4000 pages made of random pieces', () => {
    const next = random(20261202);
    let answered = 0;
    for (let n = 0; n < 4000; n++) {
      const parts: string[] = [];
      const count = 1 + Math.floor(next() * 24);
      for (let i = 0; i < count; i++) parts.push(PIECES[Math.floor(next() * PIECES.length)]);
      const html = parts.join(next() < 0.5 ? '' : ' ');
      if (sameForm(html)) answered++;
      if (sameOptions(html)) answered++;
    }
    // most random pages are plain enough to read quickly; the reader must not decline everything
    assert.ok(answered > 2000, `answered ${answered} of 8000`);
  });
});
