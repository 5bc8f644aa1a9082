// Signing in and the queue: the token stays out of URLs, new approvals arrive live, the tab
// title counts them, and one decided by someone else leaves the queue while the page watches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';
import { invoice } from './workflows.mjs';

const expenses = { ...invoice, name: 'expense-claim' };  // a second workflow to filter by
const env = useDashboard({
  workflows: [invoice, expenses], users: { alice: ['finance'], bob: ['finance'], carol: ['audit'] },
});

const row = (page, text) => page.locator('.qrow', { hasText: text });

test('a wrong token is refused in words; the right one signs in, kept out of URLs', async () => {
  const page = await openPage(env.browser, env.server);
  const sockets = [];
  page.on('websocket', (socket) => {
    sockets.push({ url: socket.url(), first: new Promise((resolve) => socket.once('framesent',
      (frame) => resolve(frame.payload))) });
  });
  await page.fill('#token', 'ast_0000000000000000_nope');
  await page.click('.signin-form button[type=submit]');
  await page.locator('.form-error', { hasText: 'not accepted' }).waitFor();

  await signIn(page, env.users.alice.token);
  assert.equal(await page.textContent('#signed-in-user .user-name'), 'alice');
  const kept = await page.evaluate(() => sessionStorage.getItem('assent.token'));
  assert.equal(kept, env.users.alice.token);
  assert.ok(!page.url().includes(env.users.alice.token));
  await page.locator('#connection', { hasText: 'Live' }).waitFor();
  assert.equal(sockets.length, 1);
  assert.ok(!sockets[0].url.includes('ast_'), sockets[0].url);
  const first = JSON.parse(await sockets[0].first);
  assert.equal(first.type, 'auth');  // the stream authenticates with its first message
  assert.equal(first.token, env.users.alice.token);

  await page.click('#sign-out');
  await page.locator('#token').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('assent.token')), null);
  // 401s while typing the wrong token are the only errors the console may show.
  assert.deepEqual(page.problems.filter((p) => !p.includes('401')), []);
  await page.context().close();
});

test('a new approval appears live, counts in the title, and leaves when someone else decides',
  async () => {
    const page = await openPage(env.browser, env.server);
    await signIn(page, env.users.alice.token);
    await page.locator('.queue-state.state-empty', { hasText: 'Nothing waits for you' }).waitFor();
    await page.locator('#connection', { hasText: 'Live' }).waitFor();

    const approval = await env.users.bob.rest.startForApproval(invoice.name,
      { invoice: 'INV-7', amount: 7200, vendor: 'ACME Industrial' });
    await row(page, 'Pay 7200 to ACME Industrial?').waitFor();
    assert.match(await row(page, 'ACME').textContent(), /Amount\s*7,200/);
    await page.waitForFunction(() => document.title.startsWith('(1) '));

    // Open it, and have bob decide it: it leaves alice's queue, and the open page says who.
    await row(page, 'ACME').click();
    await page.locator('.detail-title', { hasText: 'Pay 7200 to ACME Industrial?' }).waitFor();
    assert.ok(page.url().endsWith(`/approvals/${encodeURIComponent(approval.id)}`), page.url());
    await env.users.bob.rest.post(`/v1/approvals/${approval.id}/decision`,
                        { decision: 'approve', comment: 'vendor checked' });
    await row(page, 'ACME').waitFor({ state: 'detached' });
    await page.locator('.outcome', { hasText: 'Approved by bob' }).waitFor();
    await page.locator('.outcome', { hasText: 'vendor checked' }).waitFor();
    await page.waitForFunction(() => !/^\(\d/.test(document.title));

    // The decided view has it, with who decided.
    await page.click('.tab[data-view="decided"]');
    await row(page, 'ACME').locator('text=Approved by bob').waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

test('"All I can see" lists what a viewer may not decide; "Mine" does not', async () => {
  await env.users.bob.rest.startForApproval(invoice.name,
                                            { invoice: 'INV-8', amount: 9100, vendor: 'Globex' });
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.carol.token);
  await page.locator('.queue-state.state-empty').waitFor();
  await page.click('.tab[data-view="all"]');
  await row(page, 'Globex').waitFor();
  assert.ok(page.url().includes('view=all'));
  await page.goBack();
  await page.locator('.tab[data-view="mine"][aria-selected="true"]').waitFor();
  await page.locator('.queue-state.state-empty').waitFor();
  assert.deepEqual(page.problems.filter((p) => !p.includes('404')), []);
  await page.context().close();
});

test('the workflow filter and the search narrow the queue; the URL keeps them', async () => {
  await env.users.bob.rest.startForApproval(invoice.name,
                                            { invoice: 'INV-9', amount: 6100, vendor: 'Initech' });
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await row(page, 'Initech').waitFor();
  await row(page, 'Globex').waitFor();
  await page.fill('#queue-search', 'initech');
  await page.waitForURL(/q=initech/);
  await page.waitForFunction(() => {
    const shown = [...document.querySelectorAll('.qrow')].map((r) => r.textContent).join('|');
    return shown.includes('Initech') && !shown.includes('Globex');
  });
  assert.equal(await row(page, 'Initech').count(), 1);
  await page.fill('#queue-search', '');
  await row(page, 'Globex').waitFor();
  await page.selectOption('#queue-workflow', 'expense-claim');
  await page.locator('.queue-state', { hasText: 'No approvals match' }).waitFor();
  assert.ok(page.url().includes('workflow=expense-claim'));
  await screenshot(page, 'queue-filtered-empty');
  await page.context().close();
});

test('a cancelled run takes its approval out of the queue live, and its page says so', async () => {
  const approval = await env.users.bob.rest.startForApproval(invoice.name,
    { invoice: 'INV-10', amount: 5600, vendor: 'Cancelco' });
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await row(page, 'Cancelco').click();
  await page.locator('.detail-title', { hasText: 'Cancelco' }).waitFor();
  await env.users.bob.rest.post(`/v1/runs/${approval.run_id}/cancel`, { reason: 'duplicate' });
  await row(page, 'Cancelco').waitFor({ state: 'detached' });
  await page.locator('.outcome', { hasText: 'Withdrawn' }).waitFor();
  await page.locator('.timeline .event', { hasText: 'bob cancelled the run' }).waitFor();
  assert.equal(await page.locator('button[data-action="approve"]').count(), 0);
  await page.context().close();
});
