// The server killed (-9) and restarted under an open page: the page says it is offline, comes
// back by itself without a reload, and shows what happened meanwhile once, missing nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, signIn, startServer } from './page_harness.mjs';
import { applyAll, invoice } from './workflows.mjs';

let server;
let browser;
let alice;
let bob;

before(async () => {
  server = await startServer();
  await applyAll(server.admin);
  alice = await server.addUser('alice', ['finance']);
  bob = await server.addUser('bob', ['finance']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const pay = (vendor) =>
  bob.rest.startForApproval(invoice.name, { invoice: `INV-${vendor}`, amount: 8000, vendor });
const rows = (page, text) => page.locator('.qrow', { hasText: text });

test('kill -9 and restart: the page reconnects by itself and misses nothing', async () => {
  const before = await pay('Beforeco');
  const page = await openPage(browser, server);
  await signIn(page, alice.token);
  await rows(page, 'Beforeco').waitFor();
  await page.locator('#connection', { hasText: 'Live' }).waitFor();
  await page.evaluate(() => { window.__samePage = true; });

  await server.kill9();
  await page.locator('.banner-offline', { hasText: 'Live updates are off' }).waitFor();
  await page.locator('#connection.conn-offline, #connection.conn-reconnecting').waitFor();

  // Back, and things happen before the page is back: a new request, a decision.
  await server.restart();
  const during = await pay('Duringco');
  await bob.rest.post(`/v1/approvals/${before.id}/decision`, { decision: 'approve' });

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
  // While the server was down the browser logged refused connections; nothing else.
  const unexpected = page.problems.filter((problem) =>
    !/ERR_CONNECTION_REFUSED|WebSocket connection|Failed to load resource/.test(problem));
  assert.deepEqual(unexpected, []);
  await page.context().close();
});
