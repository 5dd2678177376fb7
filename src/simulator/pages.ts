/**
 * HTML pages of the simulated hosts: the Keycloak login page (with its error and block variants),
 * the eLicznik start page with the meter point list, the `/ustaw_punkt` answer, and the plain
 * maintenance, error and `/blokada` pages. The markup keeps the details clients depend on
 * (`elicznik-service.md` §1): the `kc-form-login` form whose `action` has `&amp;`-escaped query
 * separators, one `<option … data-data='{"type": "X"}'>` per line, the e-mail in the header and the
 * `Tariff: 'X',` marker next to a `…_Tariff:` key.
 */
import type { SimAccount, SimLoginMarkup, SimMeterPoint } from './types';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The Keycloak error shown for a wrong username or password. */
export const WRONG_CREDENTIALS_TEXT = 'Nieprawidłowa nazwa użytkownika lub hasło.';

/** The Keycloak error shown while the account is blocked. */
/** The block text after too many logins in a day (seen in 2022). */
export const DAILY_LIMIT_TEXT =
  'Przekroczono maksymalną ilość logowań na dobę. Konto zostanie odblokowane po ośmiu godzinach.';

export const BLOCKED_TEXT =
  'Przekroczono maksymalną liczbę logowań. Ze względów bezpieczeństwa Twoje konto zostało tymczasowo ' +
  'zablokowane. Prosimy o zalogowanie się za 8h.';

/** Keycloak's message when a login form was posted after its session was gone. */
export const LOGIN_TIMEOUT_TEXT = 'Upłynął limit czasu logowania. Logowanie rozpocznie się od początku.';

/** What the login page shows. */
export interface LoginPageOptions {
  /** Form action URL, not yet HTML-escaped. */
  action: string;
  markup: SimLoginMarkup;
  /** Error text above the form, if any. */
  error?: string;
  /** Username to prefill after a failed attempt. */
  username?: string;
}

function formTag(action: string, markup: SimLoginMarkup): string {
  const escaped = escapeHtml(action);
  if (markup === 'single-line') {
    return `<form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="${escaped}" method="post">`;
  }
  return [
    '<form id="kc-form-login"',
    '                      class="pf-v5-c-form pf-v5-u-mb-md"',
    '                      novalidate="novalidate"',
    '                      onsubmit="login.disabled = true; return true;"',
    `                      action="${escaped}"`,
    '                      method="post">',
  ].join('\n');
}

/** The Keycloak login page of the `tauron` realm. */
export function loginPage(options: LoginPageOptions): string {
  const alert = options.error
    ? `
            <div class="pf-v5-c-alert pf-m-inline pf-m-danger login-alert" aria-live="polite">
                <div class="pf-v5-c-alert__icon"><i class="fas fa-fw fa-exclamation-circle" aria-hidden="true"></i></div>
                <span class="pf-v5-c-alert__title kc-feedback-text">${escapeHtml(options.error)}</span>
            </div>`
    : '';
  const userValue = options.username ? ` value="${escapeHtml(options.username)}"` : ' value=""';
  const invalid = options.error ? ' aria-invalid="true"' : '';
  return `<!DOCTYPE html>
<html class="login-pf" lang="pl" dir="ltr">
<head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
    <meta name="robots" content="noindex, nofollow">
    <meta name="viewport" content="width=device-width,initial-scale=1"/>
    <title>Logowanie do TAURON</title>
    <link rel="icon" href="/resources/tauron/login/tauron/img/favicon.ico" />
    <link href="/resources/tauron/login/tauron/css/login.css" rel="stylesheet" />
    <script type="importmap">{"imports": {"rfc4648": "/resources/tauron/common/keycloak/vendor/rfc4648/rfc4648.js"}}</script>
</head>
<body id="keycloak-bg" class="">
<div class="pf-v5-c-login">
  <div class="pf-v5-c-login__container">
    <header id="kc-header" class="pf-v5-c-login__header">
      <div id="kc-header-wrapper" class="pf-v5-c-brand">TAURON</div>
    </header>
    <main class="pf-v5-c-login__main">
      <div class="pf-v5-c-login__main-header">
        <h1 class="pf-v5-c-title pf-m-3xl" id="kc-page-title">Zaloguj się do swojego konta</h1>
      </div>
      <div class="pf-v5-c-login__main-body">${alert}
        <div id="kc-form">
          <div id="kc-form-wrapper">
                ${formTag(options.action, options.markup)}
                    <div class="pf-v5-c-form__group">
                        <label for="username" class="pf-v5-c-form__label">Adres e-mail</label>
                        <input tabindex="1" id="username" class="pf-v5-c-form-control" name="username"${userValue} type="text" autofocus autocomplete="username"${invalid} />
                    </div>
                    <div class="pf-v5-c-form__group">
                        <label for="password" class="pf-v5-c-form__label">Hasło</label>
                        <input tabindex="2" id="password" class="pf-v5-c-form-control" name="password" type="password" autocomplete="current-password"${invalid} />
                    </div>
                    <div class="pf-v5-c-form__group">
                        <a tabindex="5" href="/realms/tauron/login-actions/reset-credentials">Nie pamiętasz hasła?</a>
                    </div>
                    <div id="kc-form-buttons" class="pf-v5-c-form__group">
                        <input type="hidden" id="id-hidden-input" name="credentialId" value=""/>
                        <button tabindex="4" class="pf-v5-c-button pf-m-primary pf-m-block" name="login" id="kc-login" type="submit">Zaloguj się</button>
                    </div>
                </form>
          </div>
        </div>
      </div>
    </main>
  </div>
</div>
</body>
</html>
`;
}

/** A plain page with a title and one paragraph (maintenance, errors, `/blokada`). */
export function messagePage(title: string, text: string): string {
  return `<!DOCTYPE html>
<html lang="pl">
<head>
    <meta charset="UTF-8">
    <title>${escapeHtml(title)}</title>
</head>
<body>
<div class="container">
    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(text)}</p>
</div>
</body>
</html>
`;
}

/** The eLicznik maintenance page (answered with 200 where data or the login form was expected). */
export function maintenancePage(): string {
  return messagePage(
    'Przerwa techniczna',
    'Trwają prace serwisowe. Serwis eLicznik będzie dostępny wkrótce. Przepraszamy za utrudnienia.',
  );
}

/** The `/blokada` page: too many requests. */
export function rateLimitPage(): string {
  return messagePage(
    'Blokada',
    'Przekroczono dopuszczalną liczbę zapytań do serwisu eLicznik. Dostęp został czasowo zablokowany. Spróbuj ponownie później.',
  );
}

/** Text of a meter point option: the PPE number, then the address. */
export function meterPointLabel(point: SimMeterPoint): string {
  return point.name ? `${point.ppe} ${point.name}` : point.ppe;
}

/** One `<option>` line of the meter point list, exactly as clients' regular expressions expect. */
export function meterPointOption(point: SimMeterPoint): string {
  return `<option value="${escapeHtml(point.id)}" data-data='{"type": "${escapeHtml(point.type)}"}'>${escapeHtml(
    meterPointLabel(point),
  )}</option>`;
}

/**
 * The eLicznik start page for a logged-in account: the e-mail in the header and the meter point
 * `<select>`; with `selected` (the `/ustaw_punkt` answer) also the script block with the tariff.
 */
export function startPage(account: SimAccount, selected?: SimMeterPoint): string {
  const options = account.meterPoints.map(meterPointOption).join('\n');
  const script = selected
    ? `
<script>
    var pointSettings = {
        Selected_Point: '${escapeHtml(selected.id)}',
        Selected_Tariff: '${escapeHtml(selected.tariff)}',
        Tariff: '${escapeHtml(selected.tariff)}',
        Point_Type: '${escapeHtml(selected.type)}',
        Pv: ${selected.pvKw > 0 ? 'true' : 'false'},
    };
</script>`
    : '';
  return `<!DOCTYPE html>
<html lang="pl">
<head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>eLicznik - TAURON Dystrybucja</title>
    <link rel="stylesheet" href="/css/app.css">
</head>
<body class="page-energy">
<header class="header">
    <div class="header__logo"><a href="/"><img src="/img/logo.svg" alt="TAURON eLicznik"></a></div>
    <div class="header__user">
        <span class="header__user-name">${escapeHtml(account.username)}</span>
        <a class="header__logout" href="/applogout">Wyloguj</a>
    </div>
</header>
<section class="site-select">
    <form action="/ustaw_punkt" method="post" id="site-form" name="site">
        <label for="site_client">Punkt poboru</label>
        <select id="site_client" name="site[client]" class="select-site" data-selected="${escapeHtml(selected?.id ?? '')}">
${options}
        </select>
    </form>
</section>
<main class="energy">
    <ul class="tabs">
        <li><a href="#energia-pobrana">Energia pobrana</a></li>
        <li><a href="#energia-oddana">Energia oddana</a></li>
    </ul>
    <div class="duration"><button class="duration__button prev" type="button">&lt;</button><input id="duration_date" type="text" value=""></div>
    <h1 class="big blue hightlight"></h1>
</main>${script}
</body>
</html>
`;
}
