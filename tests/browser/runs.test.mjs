// Runs: the list, and a run's page with its full history (who did what, when), which moves on
// by itself when the run does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';
import { invoice } from './workflows.mjs';

const env = useDashboard({ workflows: [invoice], users: { alice: ['finance'], bob: ['finance'] } });

test('a run page shows its history and follows the run to its end', async () => {
  const approval = await env.users.bob.rest.startForApproval(invoice.name,
    { invoice: 'INV-100', amount: 12500, vendor: 'Umbrella Corp' });
  await env.users.alice.rest.post(`/v1/approvals/${approval.id}/comments`,
                                  { text: 'Matches the PO.' });
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await page.click('.nav-link[data-nav="runs"]');
  await page.locator('.run-link', { hasText: 'invoice-payment' }).first().click();
  await page.locator('.detail-title', { hasText: 'invoice-payment run' }).waitFor();
  assert.ok(page.url().endsWith(`/runs/${approval.run_id}`), page.url());
  const event = (text) => page.locator('.timeline .event', { hasText: text });
  await event('bob started the run').waitFor();
  await event('Approval requested').waitFor();
  await event('alice commented').waitFor();
  await page.locator('.outcome-pending', { hasText: 'Waiting for a decision' }).waitFor();

  await env.users.bob.rest.post(`/v1/approvals/${approval.id}/decision`,
                      { decision: 'approve', comment: 'ok to pay' });
  await event('bob approved').waitFor();
  await event('Run completed').waitFor();
  await page.locator('.detail-meta .badge-completed').waitFor();
  const types = await page.$$eval('.timeline .event', (items) => items.map((i) => i.dataset.type));
  assert.deepEqual(types, ['run.started', 'step.completed', 'approval.requested', 'comment.added',
                           'approval.decided', 'step.completed', 'step.completed',
                           'run.completed']);
  await screenshot(page, 'run-timeline');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
