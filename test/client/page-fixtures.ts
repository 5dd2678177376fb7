/** Pages of the eLicznik service as the service notes quote them, shared by the page tests. */

/** The Keycloak login form (notes §1.1), with the hidden inputs clients send back. */
export const KEYCLOAK_FORM = `<!DOCTYPE html><html><body>
<div id="kc-form">
  <form id="kc-form-login"
        class="pf-v5-c-form"
        onsubmit="login.disabled = true; return true;"
        action="/realms/tauron/login-actions/authenticate?session_code=abc&amp;execution=e-1&amp;client_id=elicznik&amp;tab_id=t1"
        method="post">
    <input id="username" name="username" value="" type="text"/>
    <input id="password" name="password" type="password"/>
    <input type="hidden" id="id-hidden-input" name="credentialId" value=""/>
    <input type="hidden" name="_csrf" value="tok"/>
  </form>
</div></body></html>`;

/** The meter point list (notes §1.3), with a business point, an empty option and a duplicate. */
export const START_PAGE = `<!DOCTYPE html><html><body>
<header><span class="header__user-name">Jan.Kowalski@Example.com</span></header>
<select id="site_client" name="site[client]">
<option value="100136661_60579396_7221412" data-data='{"type": ""}'>590322400100123456 ul. Słoneczna 12</option>
<option
   data-data='{"type":"WO"}'
   value="200136661_60579396_7221413">
     590322400100654321   Hala 3
</option>
<option value="">-- wybierz --</option>
<option value="100136661_60579396_7221412" data-data='{"type": ""}'>duplicate</option>
</select>
<select><option value="2026">2026</option></select>
</body></html>`;
