import assert from 'node:assert/strict';
import {
  AccountBlockedError,
  ElicznikError,
  LoginBudgetError,
  ServiceChangedError,
  WrongCredentialsError,
  isElicznikError,
  redactExcerpt,
} from '../../src/errors';
import { classifyLoginAnswer, type LoginAnswer } from '../../src/client/login';
import {
  hasBlockText,
  isMaintenancePage,
  looksLikeHtml,
  pageShowsUser,
  parseLoginForm,
  parseMeterPoints,
  parseOptionType,
  parseTariff,
} from '../../src/client/pages';
import { KEYCLOAK_FORM, START_PAGE } from './page-fixtures';

const SERVICE = 'https://elicznik.tauron-dystrybucja.pl';
const LOGIN_PAGE_URL =
  'https://logowanie.tauron-dystrybucja.pl/realms/tauron/protocol/openid-connect/auth?client_id=elicznik';

function answer(partial: Partial<LoginAnswer>): LoginAnswer {
  return {
    stage: 'result',
    url: `${SERVICE}/`,
    status: 200,
    html: '',
    serviceUrl: SERVICE,
    username: 'jan.kowalski@example.com',
    hasServiceCookie: true,
    ...partial,
  };
}

describe('client: page readers', () => {
  it('finds the Keycloak form across lines, unescapes the action and resolves it against the page', () => {
    const form = parseLoginForm(KEYCLOAK_FORM, LOGIN_PAGE_URL);
    assert.ok(form);
    assert.equal(
      form.action,
      'https://logowanie.tauron-dystrybucja.pl/realms/tauron/login-actions/authenticate?session_code=abc&execution=e-1&client_id=elicznik&tab_id=t1',
    );
    assert.deepEqual(form.hidden, { credentialId: '', _csrf: 'tok' });
  });

  it('finds no form on a page without kc-form-login', () => {
    assert.equal(parseLoginForm('<form id="other" action="/x"></form>', LOGIN_PAGE_URL), undefined);
    assert.equal(parseLoginForm('<form id="kc-form-login"></form>', LOGIN_PAGE_URL), undefined);
  });

  it('reads every meter point option once: id, name, PPE, type, business flag', () => {
    assert.deepEqual(parseMeterPoints(START_PAGE), [
      {
        id: '100136661_60579396_7221412',
        name: '590322400100123456 ul. Słoneczna 12',
        ppe: '590322400100123456',
        type: '',
        isBusiness: false,
      },
      {
        id: '200136661_60579396_7221413',
        name: '590322400100654321 Hala 3',
        ppe: '590322400100654321',
        type: 'WO',
        isBusiness: true,
      },
    ]);
  });

  it('reads the option type with any spacing or quotes', () => {
    assert.equal(parseOptionType('{"type": "WO"}'), 'WO');
    assert.equal(parseOptionType('{ "type" :"WO" }'), 'WO');
    assert.equal(parseOptionType("{'type': 'WO'}"), 'WO');
    assert.equal(parseOptionType(undefined), '');
  });

  it('reads the tariff in both marker styles and not from a _Tariff key', () => {
    assert.equal(parseTariff("var s = { Selected_Tariff: 'G11', Tariff: 'G12W', };"), 'G12W');
    assert.equal(parseTariff("var s = { 'Tariff' : 'G11', };"), 'G11');
    assert.equal(parseTariff("var s = { Selected_Tariff: 'G11' };"), null);
    assert.equal(parseTariff('<html></html>'), null);
  });

  it('finds the user case-insensitively, also written with entities', () => {
    assert.ok(pageShowsUser(START_PAGE, 'jan.kowalski@example.com'));
    assert.ok(pageShowsUser('<span>jan.kowalski&#64;example.com</span>', 'Jan.Kowalski@example.com'));
    assert.ok(!pageShowsUser(START_PAGE, 'jan@example.com'));
    assert.ok(!pageShowsUser(START_PAGE, ''));
  });

  it('recognises the block texts, maintenance pages and HTML bodies', () => {
    assert.ok(
      hasBlockText('Przekroczono maksymalną liczbę logowań. Twoje konto zostało tymczasowo zablokowane.'),
    );
    assert.ok(hasBlockText('Przekroczono maksymalną ilość logowań na dobę.'));
    assert.ok(hasBlockText('Informujemy, że odnotowaliśmy przekroczenie liczby możliwych logowań'));
    assert.ok(!hasBlockText('Przekroczono dopuszczalną liczbę zapytań do serwisu eLicznik.'));
    assert.ok(isMaintenancePage('<h1>Przerwa techniczna</h1><p>Trwają prace serwisowe.</p>'));
    assert.ok(!isMaintenancePage(START_PAGE));
    assert.ok(looksLikeHtml('\uFEFF  <!DOCTYPE html><html>'));
    assert.ok(!looksLikeHtml('{"success":true}'));
    assert.ok(!looksLikeHtml('Data; Wartość kWh;Rodzaj;'));
  });
});

describe('client: login answers', () => {
  it('checks the block text before the form (Keycloak keeps the form on its error pages)', () => {
    const html = KEYCLOAK_FORM.replace(
      '<div id="kc-form">',
      '<span>Przekroczono maksymalną liczbę logowań.</span>',
    );
    assert.deepEqual(classifyLoginAnswer(answer({ html, url: LOGIN_PAGE_URL })), { kind: 'blocked' });
    assert.deepEqual(classifyLoginAnswer(answer({ html, url: LOGIN_PAGE_URL, stage: 'first' })), {
      kind: 'blocked',
    });
  });

  it('checks /blokada before the form', () => {
    assert.deepEqual(classifyLoginAnswer(answer({ url: `${SERVICE}/blokada`, html: '<p>Blokada</p>' })), {
      kind: 'rate-limited',
    });
  });

  it('reads the form on the first page and wrong credentials after the post', () => {
    const first = classifyLoginAnswer(answer({ stage: 'first', url: LOGIN_PAGE_URL, html: KEYCLOAK_FORM }));
    assert.equal(first.kind, 'form');
    assert.deepEqual(classifyLoginAnswer(answer({ url: LOGIN_PAGE_URL, html: KEYCLOAK_FORM })), {
      kind: 'wrong-credentials',
    });
  });

  it('does not call a Keycloak login timeout wrong credentials', () => {
    const html = KEYCLOAK_FORM.replace('<div id="kc-form">', '<span>Upłynął limit czasu logowania.</span>');
    assert.equal(classifyLoginAnswer(answer({ url: LOGIN_PAGE_URL, html })).kind, 'changed');
  });

  it('accepts an eLicznik page with the e-mail and a session cookie, also as the first page (single sign-on)', () => {
    assert.deepEqual(classifyLoginAnswer(answer({ html: START_PAGE })), { kind: 'logged-in' });
    assert.deepEqual(classifyLoginAnswer(answer({ html: START_PAGE, stage: 'first' })), {
      kind: 'logged-in',
    });
    assert.equal(classifyLoginAnswer(answer({ html: START_PAGE, hasServiceCookie: false })).kind, 'changed');
    assert.equal(
      classifyLoginAnswer(answer({ html: START_PAGE, url: 'https://elsewhere.example/' })).kind,
      'changed',
    );
  });

  it('calls a maintenance page unavailable and anything else a changed service, with a redacted excerpt', () => {
    assert.deepEqual(
      classifyLoginAnswer(
        answer({ stage: 'first', html: '<h1>Przerwa techniczna</h1>', url: LOGIN_PAGE_URL }),
      ),
      { kind: 'unavailable' },
    );
    const other = classifyLoginAnswer(
      answer({
        stage: 'first',
        url: LOGIN_PAGE_URL,
        html: '<p>Witaj jan.kowalski@example.com, punkt 590322400100123456, sesja PHPSESSID=abcdefghijklmnopqrstuvwxyz012345</p>',
      }),
    );
    assert.equal(other.kind, 'changed');
    if (other.kind !== 'changed') return;
    assert.match(other.what, /no login form/);
    assert.doesNotMatch(other.excerpt, /kowalski|590322400100123456|abcdefghijklmnopqrstuvwxyz/);
  });

  it('recognises an eLicznik page without the user after the post as a changed service', () => {
    const out = classifyLoginAnswer(answer({ html: '<html><body>Witamy</body></html>' }));
    assert.equal(out.kind, 'changed');
  });
});

describe('client: errors', () => {
  it('carries code, step, dates and a JSON form without secrets', () => {
    const until = new Date('2026-06-16T18:30:00Z');
    const e = new AccountBlockedError(until);
    assert.ok(e instanceof ElicznikError);
    assert.equal(e.code, 'ACCOUNT_BLOCKED');
    assert.equal(e.name, 'AccountBlockedError');
    assert.equal(e.blockedUntil?.toISOString(), until.toISOString());
    assert.deepEqual(JSON.parse(JSON.stringify(e)), {
      name: 'AccountBlockedError',
      code: 'ACCOUNT_BLOCKED',
      message: e.message,
      step: 'login-result',
      retryAfter: until.toISOString(),
      blockedUntil: until.toISOString(),
    });
    assert.match(new LoginBudgetError(until).message, /2026-06-16T20:30:00\+02:00 \(Warsaw time\)/);
    assert.equal(new WrongCredentialsError().code, 'WRONG_CREDENTIALS');
    assert.equal(new ServiceChangedError('csv', 'x').step, 'csv');
    assert.ok(isElicznikError(JSON.parse(JSON.stringify(new ServiceChangedError('csv', 'x')))));
    assert.ok(!isElicznikError(new Error('x')));
  });

  it('redacts e-mails, ids, PPE numbers, tokens and given secrets in excerpts, and cuts them short', () => {
    const text =
      '<script>var t="x";</script><p>Hasło S3cret! dla a.b@c.pl, PPE 590322400100123456, site 1_2_3, token ' +
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9abc</p>';
    const out = redactExcerpt(text, ['S3cret!']);
    assert.doesNotMatch(out, /S3cret|a\.b@c\.pl|590322400100123456|1_2_3|eyJhbGci|var t/);
    assert.match(out, /Hasło \*\*\* dla <e-mail>/);
    assert.ok(redactExcerpt('x'.repeat(50) + ' ' + 'y '.repeat(200)).length <= 160);
  });
});
