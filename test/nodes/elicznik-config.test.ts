import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { sessionPool } from '../../src/session/pool';
import {
  G11,
  PASS,
  USER,
  configDef,
  configNode,
  credentials,
  fetchFlow,
  fetchNode,
  helper,
  nextMessage,
  setUpNodeTests,
  type Flow,
} from './elicznik-config.support';

const ENDPOINT = '/elicznik-config/meter-points';

describe('elicznik-config node', function () {
  this.timeout(20_000);
  const ctx = setUpNodeTests();

  function typedBody(extra: Record<string, unknown> = {}) {
    return {
      id: 'c1',
      username: USER,
      password: PASS,
      serviceUrl: ctx.sim.serviceUrl,
      loginUrl: ctx.sim.loginUrl,
      timeout: '10',
      ...extra,
    };
  }

  async function fetchOnce(id = 'n1'): Promise<any> {
    const out = nextMessage('h1');
    helper.getNode(id).receive({ payload: 'go' });
    return out;
  }

  describe('credentials', () => {
    let admin: express.Express;
    before(async () => {
      await helper.startServer();
      admin = express();
      admin.use((helper as any)._RED.httpAdmin);
    });
    after(async () => {
      await helper.stopServer();
    });

    it('keeps the username and password out of the flow, as credentials only', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), {});
      const deployed = fetchFlow(ctx.sim) as unknown as Record<string, unknown>[];
      deployed[1].credentials = { username: USER, password: PASS };
      const started = new Promise((resolve) => (helper as any)._events.once('flows:started', resolve));
      await request(admin).post('/flows').set('Node-RED-Deployment-Type', 'full').send(deployed).expect(204);
      await started;

      const flows = await request(admin).get('/flows').expect(200);
      assert.ok(Array.isArray(flows.body));
      assert.ok(flows.body.every((n: any) => n.credentials === undefined));
      assert.ok(!flows.text.includes(USER), 'no username in the flow');
      assert.ok(!flows.text.includes(`"${PASS}"`), 'no password in the flow');
      assert.ok(!/password/i.test(flows.text));
      const config = flows.body.find((n: any) => n.id === 'c1');
      assert.equal(config.meterPoint, G11.id);

      const creds = await request(admin).get('/credentials/elicznik-config/c1').expect(200);
      assert.deepEqual(creds.body, { username: USER, has_password: true });

      const msg = await fetchOnce();
      assert.equal(msg.payload.complete, true);
      assert.equal(ctx.sim.stats.logins, 1);
    });

    it('takes ${ENV_VAR} credentials from the environment', async () => {
      process.env.ELICZNIK_TEST_USER = USER;
      process.env.ELICZNIK_TEST_PASSWORD = PASS;
      try {
        await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), {
          c1: { username: '${ELICZNIK_TEST_USER}', password: '${ELICZNIK_TEST_PASSWORD}' },
        });
        assert.equal((helper.getNode('c1') as any).credentials.username, USER);
        const msg = await fetchOnce();
        assert.equal(msg.payload.hours.length, 24);
        assert.equal(ctx.sim.stats.logins, 1);
      } finally {
        delete process.env.ELICZNIK_TEST_USER;
        delete process.env.ELICZNIK_TEST_PASSWORD;
      }
    });
  });

  describe('credentials from the environment', () => {
    it('does not log in with a ${ENV_VAR} reference whose variable is not set', async () => {
      delete process.env.ELICZNIK_TEST_UNSET;
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials('${ELICZNIK_TEST_UNSET}'));
      const out = nextMessage('h2');
      helper.getNode('n1').receive({ payload: 'go' });
      const err = (await out).error;
      assert.equal(err.code, 'BAD_INPUT');
      assert.match(err.message, /environment variable ELICZNIK_TEST_UNSET, which is not set/);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
    });
  });

  describe('meter point endpoint', () => {
    it('needs the elicznik-config.write permission', async () => {
      const asked: string[] = [];
      const guarded = (RED: any) => {
        RED.auth = {
          needsPermission(permission: string) {
            asked.push(permission);
            return (req: any, res: any, next: any) =>
              req.get('x-test-permission') === permission ? next() : res.status(401).end();
          },
        };
        return configNode(RED);
      };
      await helper.load(guarded as any, [configDef(ctx.sim)] as unknown as Flow, {});
      assert.deepEqual(asked, ['elicznik-config.write']);
      await helper.request().post(ENDPOINT).send(typedBody()).expect(401);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
      await helper
        .request()
        .post(ENDPOINT)
        .set('x-test-permission', 'elicznik-config.write')
        .send(typedBody())
        .expect(200);
    });

    it('answers the meter points for typed credentials, without the password', async () => {
      await helper.load(configNode, [] as unknown as Flow, {});
      const res = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'demo' }))
        .expect(200);
      assert.deepEqual(
        res.body.meterPoints.map((p: any) => [p.id, p.ppe, p.type, p.tariff]),
        [
          ['600123456_60123456_7123456', '590322400100123456', '', 'G11'],
          ['600223344_60223344_7223344', '590322400100223344', '', 'G12W'],
          ['600334455_60334455_7334455', '590322400100334455', 'WO', 'C11'],
        ],
      );
      assert.match(res.body.meterPoints[0].name, /590322400100123456.*Słoneczna/);
      assert.ok(!res.text.includes('"demo"') && !/password/i.test(res.text));
    });

    it('answers a wrong password with its code and message, never the password', async () => {
      await helper.load(configNode, [] as unknown as Flow, {});
      const res = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'Sekret-123' }))
        .expect(422);
      assert.equal(res.body.code, 'WRONG_CREDENTIALS');
      assert.match(res.body.message, /rejected the username or password/);
      assert.ok(!res.text.includes('Sekret-123'));
    });

    it('logs in once when the button is pressed twice', async () => {
      await helper.load(configNode, [] as unknown as Flow, {});
      await helper.request().post(ENDPOINT).send(typedBody()).expect(200);
      assert.equal(sessionPool.openCount, 0, 'the lookup gave its lease back');
      await helper.request().post(ENDPOINT).send(typedBody()).expect(200);
      assert.equal(ctx.sim.stats.logins, 1);
      assert.equal(ctx.sim.stats.loginAttempts, 1);
    });

    it("uses a deployed node's stored password for the placeholder, sharing its session", async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials());
      await fetchOnce();
      const res = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: '__PWRD__' }))
        .expect(200);
      assert.equal(res.body.meterPoints.length, 3);
      assert.equal(ctx.sim.stats.logins, 1);
    });

    it('refuses the placeholder without a deployed node, or with an address not deployed', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials());
      const unknown = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ id: 'other', password: '__PWRD__' }))
        .expect(400);
      assert.equal(unknown.body.code, 'BAD_INPUT');
      assert.match(unknown.body.message, /Type the password/);
      const elsewhere = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: '__PWRD__', loginUrl: 'http://127.0.0.1:9/collect' }))
        .expect(400);
      assert.equal(elsewhere.body.code, 'BAD_INPUT');
      assert.match(elsewhere.body.message, /differs from the deployed one/);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
    });

    it('does not use the stored password or e-mail when the dialog has them cleared, as a deploy would not', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials());
      const noPassword = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: '' }))
        .expect(400);
      assert.equal(noPassword.body.code, 'BAD_INPUT');
      assert.match(noPassword.body.message, /no password/);
      const blank = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: '   ' }))
        .expect(400);
      assert.match(blank.body.message, /no password/, 'a deploy deletes a blank password too');
      const noUser = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ username: ' ', password: '__PWRD__' }))
        .expect(400);
      assert.match(noUser.body.message, /no username/);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
    });

    it('reads ${ENV_VAR} credentials typed into the dialog from the environment, for the deployed addresses', async () => {
      process.env.ELICZNIK_TEST_USER = USER;
      process.env.ELICZNIK_TEST_PASSWORD = PASS;
      try {
        await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), {
          c1: { username: '${ELICZNIK_TEST_USER}', password: '${ELICZNIK_TEST_PASSWORD}' },
        });
        const typed = await helper
          .request()
          .post(ENDPOINT)
          .send(typedBody({ username: '${ELICZNIK_TEST_USER}', password: '${ELICZNIK_TEST_PASSWORD}' }))
          .expect(200);
        assert.equal(typed.body.meterPoints.length, 3);
        const stored = await helper
          .request()
          .post(ENDPOINT)
          .send(typedBody({ username: '${ELICZNIK_TEST_USER}', password: '__PWRD__' }))
          .expect(200);
        assert.equal(stored.body.meterPoints.length, 3);
        assert.ok(!stored.text.includes(PASS));
        assert.equal(ctx.sim.stats.loginAttempts, 1);
        assert.equal(ctx.sim.stats.logins, 1);

        const elsewhere = await helper
          .request()
          .post(ENDPOINT)
          .send(typedBody({ id: 'new', username: USER, password: '${ELICZNIK_TEST_PASSWORD}' }))
          .expect(400);
        assert.equal(elsewhere.body.code, 'BAD_INPUT');
        assert.match(elsewhere.body.message, /environment variable/);
        assert.ok(!elsewhere.text.includes(PASS));
        assert.equal(
          ctx.sim.stats.loginAttempts,
          1,
          'no variable is sent to an address typed into the dialog',
        );
      } finally {
        delete process.env.ELICZNIK_TEST_USER;
        delete process.env.ELICZNIK_TEST_PASSWORD;
      }
    });

    const failures: [string, () => void, number, string][] = [
      ['a blocked account', () => (ctx.sim.faults.blocked = true), 423, 'ACCOUNT_BLOCKED'],
      ['a rate limit', () => (ctx.sim.faults.rateLimited = true), 429, 'RATE_LIMITED'],
      ['a maintenance page', () => (ctx.sim.faults.maintenanceLogin = true), 503, 'SERVICE_UNAVAILABLE'],
    ];
    for (const [what, fault, status, code] of failures) {
      it(`answers ${what} with HTTP ${status} and ${code}`, async () => {
        fault();
        await helper.load(configNode, [] as unknown as Flow, {});
        const res = await helper.request().post(ENDPOINT).send(typedBody()).expect(status);
        assert.equal(res.body.code, code);
        assert.equal(typeof res.body.message, 'string');
      });
    }

    it('answers missing credentials and bad settings with BAD_INPUT', async () => {
      await helper.load(configNode, [] as unknown as Flow, {});
      const empty = await helper.request().post(ENDPOINT).send({}).expect(400);
      assert.equal(empty.body.code, 'BAD_INPUT');
      const noUser = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ username: ' ' }))
        .expect(400);
      assert.match(noUser.body.message, /no username/);
      const badTimeout = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ timeout: '0' }))
        .expect(400);
      assert.match(badTimeout.body.message, /request timeout/);
      const badUrl = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ serviceUrl: 'ftp://x' }))
        .expect(400);
      assert.match(badUrl.body.message, /serviceUrl/);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
    });

    it('tries a rejected password again when the button is pressed', async () => {
      await helper.load(configNode, [] as unknown as Flow, {});
      await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(422);
      ctx.clock.tick(2 * 60_000);
      await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(422);
      assert.equal(ctx.sim.stats.loginAttempts, 2);
    });
  });

  describe('the list button and the login ledger', () => {
    async function failOnce(id = 'n1'): Promise<any> {
      const out = nextMessage('h2');
      helper.getNode(id).receive({ payload: 'go' });
      return out;
    }

    it('keeps a rejected password rejected when a second press is refused before any login', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials('wrong'));
      await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(422);
      const soon = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(429);
      assert.equal(soon.body.code, 'LOGIN_BUDGET');
      assert.equal(ctx.sim.stats.loginAttempts, 1);

      ctx.clock.tick(10 * 60_000);
      const err = await failOnce();
      assert.equal(err.error.code, 'WRONG_CREDENTIALS');
      assert.match(err.error.message, /Change the password/);
      assert.equal(ctx.sim.stats.loginAttempts, 1, 'the deployed node does not send it again');
    });

    it("keeps the deployed node's rejected password rejected when the list answers from its stopped client", async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials('wrong'));
      assert.equal((await failOnce()).error.code, 'WRONG_CREDENTIALS');
      ctx.clock.tick(10 * 60_000);
      const res = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: '__PWRD__' }))
        .expect(422);
      assert.equal(res.body.code, 'WRONG_CREDENTIALS');
      assert.equal(ctx.sim.stats.loginAttempts, 1);

      ctx.clock.tick(10 * 60_000);
      await helper.setFlows(fetchFlow(ctx.sim), 'full', credentials('wrong'));
      assert.equal((await failOnce()).error.code, 'WRONG_CREDENTIALS');
      assert.equal(ctx.sim.stats.loginAttempts, 1, 'the redeployed node does not send it again');
    });

    it('keeps a rejected password rejected when the press meets a block', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials('wrong'));
      await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(422);
      ctx.clock.tick(2 * 60_000);
      ctx.sim.faults.blocked = true;
      await helper.request().post(ENDPOINT).send(typedBody()).expect(423);
      ctx.sim.faults.blocked = false;
      ctx.clock.tick(2 * 60_000);
      const blocked = await helper
        .request()
        .post(ENDPOINT)
        .send(typedBody({ password: 'wrong' }))
        .expect(423);
      assert.equal(blocked.body.code, 'ACCOUNT_BLOCKED');
      const attempts = ctx.sim.stats.loginAttempts;

      ctx.clock.tick(9 * 60 * 60_000);
      assert.equal((await failOnce()).error.code, 'WRONG_CREDENTIALS');
      assert.equal(ctx.sim.stats.loginAttempts, attempts, 'the deployed node does not send it again');
    });
  });

  describe('lifecycle', () => {
    it('opens no session until a node needs it, and closes it on redeploy', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials());
      assert.equal(sessionPool.openCount, 0);
      assert.equal(ctx.sim.stats.loginAttempts, 0);
      await fetchOnce();
      assert.equal(sessionPool.openCount, 1);
      const stopped = helper.getNode('c1') as any;
      await helper.setFlows(fetchFlow(ctx.sim), 'full', credentials());
      assert.equal(sessionPool.openCount, 0);
      assert.throws(
        () => stopped.session(),
        (e: any) => e.code === 'SERVICE_UNAVAILABLE',
      );
      assert.equal(sessionPool.openCount, 0, 'a stopped config node opens nothing');
    });

    it("uses the account's first meter point when none is set", async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim, {}, { meterPoint: '' }), credentials());
      const msg = await fetchOnce();
      assert.equal(msg.payload.meterPoint, G11.id);
    });
  });
});
