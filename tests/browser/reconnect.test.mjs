// The env.server killed (-9) and restarted under an open page: the page says it is offline, comes
// back by itself without a reload, and shows what happened meanwhile once, missing nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';
import { invoice } from './workflows.mjs';

const env = useDashboard({ workflows: [invoice], users: { alice: ['finance'], bob: ['finance'] } });

const pay = (vendor) =>
  env.users.bob.rest.startForApproval(invoice.name,
                                      { invoice: `INV-${vendor}`, amount: 8000, vendor });
const rows = (page, text) => page.locator('.qrow', { hasText: text });

test('kill -9 and restart: the page reconnects by itself and misses nothing', async () => {
  const before = await pay('Beforeco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await rows(page, 'Beforeco').waitFor();
  await page.locator('#connection', { hasText: 'Live' }).waitFor();
  await page.evaluate(() => { window.__samePage = true; });

  await env.server.kill9();
  await page.locator('.banner-offline', { hasText: 'Live updates are off' }).waitFor();
  await page.locator('#connection.conn-offline, #connection.conn-reconnecting').waitFor();

  // Back, and things happen before the page is back: a new request, a decision.
  await env.server.restart();
  const during = await pay('Duringco');
  await env.users.bob.rest.post(`/v1/approvals/${before.id}/decision`, { decision: 'approve' });

  await page.locator('#connection', { hasText: 'Live' }).waitFor({ timeout: 20000 });
  await rows(page, 'Duringco').waitFor();
  await rows(page, 'Beforeco').waitFor({ state: 'detached' });
  await page.locator('.banner-offline').waitFor({ state: 'hidden' });

  // And live again afterwards, each once.
  await pay('Afterco');
  await rows(page, 'Afterco').waitFor();
  assert.equal(await rows(page, 'Duringco').count(), 1);
  assert.equal(await rows(page, 'Afterco').count(), 1);
  const ids = await page.$$eval('.qrow-link', (links) => links.map((link) => link.dataset.id));
  assert.equal(new Set(ids).size, ids.length, `no approval twice: ${ids}`);
  assert.ok(ids.includes(during.id));
  assert.equal(await page.evaluate(() => window.__samePage), true, 'recovered without a reload');

  // And the work goes on: deciding after the restart.
  await rows(page, 'Duringco').click();
  await page.locator('.detail-title', { hasText: during.message }).waitFor();
  await page.click('button[data-action="approve"]');
  await page.click('#decision-submit');
  await page.locator('.outcome', { hasText: 'Approved by alice' }).waitFor();
  await rows(page, 'Duringco').waitFor({ state: 'detached' });
  // While the env.server was down the env.browser logged refused connections; nothing else.
  const unexpected = page.problems.filter((problem) =>
    !/ERR_CONNECTION_REFUSED|WebSocket connection|Failed to load resource/.test(problem));
  assert.deepEqual(unexpected, []);
  await page.context().close();
});
