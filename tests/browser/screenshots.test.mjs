// The page with every kind of context, saved for people to look at (build/screenshots/): the
// queue, an approval with a records preview, one with an email draft, one with a change summary,
// and the page on a narrow window. Each also checks that the context was rendered for people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';
import { all, customerEmail, dataDeletion, invoice, productionChange } from './workflows.mjs';

const env = useDashboard({ workflows: all, users: { alice: ['finance'], bob: ['finance'] } });

async function startOneOfEach() {
  const start = (workflow, input) => env.users.bob.rest.startForApproval(workflow.name, input);
  return {
    invoice: await start(invoice, { invoice: 'INV-2041', amount: 7250, vendor: 'ACME Industrial' }),
    deletion: await start(dataDeletion, {}),
    email: await start(customerEmail, { to: 'dana@example.com', name: 'Dana', ticket: 'SUP-8812' }),
    change: await start(productionChange, {}),
  };
}

async function open(page, approval) {
  await page.locator('.qrow', { hasText: approval.message }).click();
  await page.locator('.detail-title', { hasText: approval.message }).waitFor();
  await page.locator('.timeline').waitFor();
}

test('every kind of context, rendered for people and saved as screenshots', async () => {
  const approvals = await startOneOfEach();
  const page = await openPage(env.browser, env.server);
  const details = page.locator('[aria-labelledby="details-title"]');  // not the timeline's
  await signIn(page, env.users.alice.token);
  await page.locator('.qrow', { hasText: approvals.invoice.message }).waitFor();
  await page.waitForFunction(() => document.title.startsWith('(4) '));
  await screenshot(page, 'queue');

  await open(page, approvals.invoice);
  const amount = details.locator('.fact-amount dd');
  assert.match(await amount.innerText(), /€\s?7,250\.00|7,250\.00\s?€/);  // EUR beside it
  await screenshot(page, 'approval-amount');

  await open(page, approvals.deletion);
  assert.equal(await details.locator('.records tbody tr').count(), 40);
  await details.locator('.records th', { hasText: 'Email' }).waitFor();
  await screenshot(page, 'approval-records');

  await open(page, approvals.email);
  const body = await details.locator('.email-body').innerText();
  assert.ok(body.startsWith('Hi Dana,\n\nWe have processed'), body);  // its line breaks kept
  await details.locator('.email-header', { hasText: 'About your refund' }).waitFor();
  await screenshot(page, 'approval-email');

  await open(page, approvals.change);
  await details.locator('.diff-add', { hasText: '+  max_retries: 5' }).waitFor();
  await details.locator('.diff-del', { hasText: '-  max_retries: 3' }).waitFor();
  await details.locator('.tree summary', { hasText: 'Rollback' }).waitFor();  // nested, collapsible
  await screenshot(page, 'approval-change');

  await page.setViewportSize({ width: 1920, height: 1080 });
  await screenshot(page, 'approval-change-1920');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a narrow window shows the queue, then the approval with a way back', async () => {
  const page = await openPage(env.browser, env.server, { width: 390, height: 844 });
  await signIn(page, env.users.alice.token);
  const first = page.locator('.qrow').first();
  await first.waitFor();
  await screenshot(page, 'narrow-queue');
  await first.click();
  await page.locator('.detail-title').waitFor();
  assert.equal(await page.locator('.queue-pane').isVisible(), false);
  await screenshot(page, 'narrow-approval');
  await page.click('.back-link');
  await page.locator('.queue-pane').waitFor();
  await page.context().close();
});
