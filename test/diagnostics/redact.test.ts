import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HttpExchange } from '../../src/client';
import { ServiceChangedError } from '../../src/errors';
import { ExchangeRecorder, redactExchanges, redactText, writeDump } from '../../src/diagnostics';

const KNOWN = { username: 'ewa.planted@example.pl', password: 'p@ss w0rd&<x>' };

function exchange(extra: Partial<HttpExchange> = {}): HttpExchange {
  return {
    step: 'login-post',
    at: '2026-11-23T10:00:00.000Z',
    durationMs: 12,
    method: 'POST',
    url: 'https://logowanie.example/realms/tauron/login-actions/authenticate?session_code=abcDEF123456&execution=ex-987654&client_id=elicznik&tab_id=tab42xyz',
    requestHeaders: {
      Cookie: 'AUTH_SESSION_ID=auth-1234567; KC_RESTART=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig_x-1',
    },
    requestForm: { username: KNOWN.username, password: KNOWN.password, credentialId: '' },
    status: 302,
    responseHeaders: {
      'set-cookie': ['KEYCLOAK_IDENTITY=kc-identity-value-1; Path=/realms/tauron/; HttpOnly'],
      location: 'https://elicznik.example/sso/callback?state=st-777777&code=code-55555555',
    },
    body: '',
    ...extra,
  };
}

describe('diagnostics: redaction', () => {
  it('removes the password in plain, URL-encoded and HTML-escaped form, and the login', () => {
    const text = [
      `password=${encodeURIComponent(KNOWN.password)}`,
      `<input value="p@ss w0rd&amp;&lt;x&gt;">`,
      `raw ${KNOWN.password}`,
      `user ${KNOWN.username} / ${encodeURIComponent(KNOWN.username)}`,
    ].join('\n');
    const out = redactText(text, KNOWN);
    assert.ok(!out.includes('w0rd'), out);
    assert.ok(!out.includes('ewa.planted'), out);
    assert.match(out, /\[password\]/);
  });

  it('removes any e-mail address, PPE, site id, long numbers and addresses', () => {
    const out = redactText(
      'kontakt: jan@firma.pl, PPE 590243851234567890, punkt 600123456_60123456_7123456, licznik 12345678, ' +
        'ul. Długa 15/3, 31-147 Kraków, os. Kalinowe 4',
      {},
    );
    for (const gone of [
      'jan@firma.pl',
      '590243851234567890',
      '600123456_',
      '12345678',
      'Długa 15',
      '31-147',
      'Kalinowe 4',
    ]) {
      assert.ok(!out.includes(gone), `${gone} in ${out}`);
    }
    assert.match(out, /\[e-mail\].*\[ppe\].*\[meter\].*\[number\].*\[address\]/s);
  });

  it('keeps the structure: JSON keys, CSV headers, dates and energy values stay', () => {
    const json =
      '{"success":true,"data":{"allData":[{"Date":"2026-11-23","Hour":"1","EC":"0,123","Zone":"1"}]}}';
    assert.equal(redactText(json, KNOWN), json);
    const csv = 'Data; Strefa; Wartość kWh;Rodzaj;\n23.11.2026 01:00;1;0,123;pobór;\n';
    assert.equal(redactText(csv, KNOWN), csv);
  });

  it('removes cookies, session parameters, hidden form values and tokens from exchanges', () => {
    const page = exchange({
      step: 'login-page',
      method: 'GET',
      requestForm: undefined,
      status: 200,
      responseHeaders: { 'content-type': 'text/html' },
      body:
        '<form id="kc-form-login" action="https://logowanie.example/realms/tauron/login-actions/authenticate?session_code=abcDEF123456&amp;execution=ex-987654">' +
        '<input type="hidden" name="token" value="hidden-val-xyz987"></form>' +
        '<p>kc-identity-value-1 auth-1234567</p>',
    });
    const [post, got] = redactExchanges([exchange(), page], KNOWN);
    const all = JSON.stringify([post, got]);
    for (const secret of [
      'abcDEF123456',
      'ex-987654',
      'tab42xyz',
      'auth-1234567',
      'eyJhbGciOiJIUzI1NiJ9',
      'kc-identity-value-1',
      'st-777777',
      'code-55555555',
      'hidden-val-xyz987',
      'w0rd',
      'ewa.planted',
    ]) {
      assert.ok(!all.includes(secret), `${secret} left in ${all}`);
    }
    assert.equal(post.requestHeaders.Cookie, 'AUTH_SESSION_ID=[cookie]; KC_RESTART=[cookie]');
    assert.deepEqual(post.responseHeaders['set-cookie'], [
      'KEYCLOAK_IDENTITY=[cookie]; Path=/realms/tauron/; HttpOnly',
    ]);
    assert.equal(post.requestForm?.password, '[password]');
    assert.match(post.url, /client_id=elicznik/, 'harmless parameters stay');
  });

  it('removes the meter point names and addresses an eLicznik page lists, wherever they appear', () => {
    const start = exchange({
      step: 'meter-points',
      method: 'GET',
      requestForm: undefined,
      status: 200,
      body: '<select name="site"><option value="600111222_60111222_7111222">590243851111222333 Zaciszna 9 m. 2 Wólka Mała</option></select>',
    });
    const later = exchange({ step: 'csv', body: 'adres: Zaciszna 9 m. 2 Wólka Mała' });
    const out = JSON.stringify(redactExchanges([start, later], {}));
    assert.ok(!out.includes('Zaciszna'), out);
    assert.ok(!out.includes('Wólka'), out);
  });
});

describe('diagnostics: recorder and dump', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-dump-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps the last exchanges only, and those since a time', () => {
    const rec = new ExchangeRecorder(3);
    for (let i = 0; i < 5; i += 1)
      rec.record(exchange({ at: new Date(1000 * i).toISOString(), step: `s${i}` }));
    assert.deepEqual(
      rec.all().map((e) => e.step),
      ['s2', 's3', 's4'],
    );
    assert.deepEqual(
      rec.since(3000).map((e) => e.step),
      ['s3', 's4'],
    );
  });

  it('writes one file per exchange and the error, user-only, with no secret', async () => {
    const error = new ServiceChangedError('login-page', 'the login form is missing', {
      excerpt: 'Witaj ewa.planted@example.pl',
    });
    const folder = await writeDump(dir, { error, exchanges: [exchange()], known: KNOWN });
    assert.match(path.basename(folder), /^elicznik-dump-.*-login-page$/);
    assert.equal((await stat(folder)).mode & 0o777, 0o700);
    const files = (await readdir(folder)).sort();
    assert.deepEqual(files, ['01-login-post.txt', 'error.txt']);
    const texts = await Promise.all(files.map((f) => readFile(path.join(folder, f), 'utf8')));
    for (const f of files) assert.equal((await stat(path.join(folder, f))).mode & 0o777, 0o600);
    assert.match(texts[1], /code: SERVICE_CHANGED/);
    assert.match(texts[1], /the login form is missing/);
    assert.match(
      texts[0],
      /^POST https:\/\/logowanie\.example\/realms\/tauron\/login-actions\/authenticate\?/,
    );
    assert.match(texts[0], /< HTTP 302/);
    for (const t of texts) {
      for (const secret of ['w0rd', 'ewa.planted', 'kc-identity-value-1', 'auth-1234567', 'abcDEF123456']) {
        assert.ok(!t.includes(secret), `${secret} in ${t}`);
      }
    }
  });
});
