// The product brief's four examples (examples/, with the demo service they call) as a reviewer
// sees them, saved for people to look at (build/screenshots/): the queue, an approval with a
// records preview and the exact request of the deletion it gates, one with an email draft, one
// with a change summary, a run's timeline, and the page on a narrow window. Each checks that its
// context was rendered for people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, screenshot, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';

const env = useDashboard({ users: { alice: ['finance', 'support', 'privacy', 'ops'] } });
const approvals = {};

async function open(page, approval) {
  await page.locator('.qrow', { hasText: approval.message }).click();
  await page.locator('.detail-title', { hasText: approval.message }).waitFor();
  await page.locator('.timeline').waitFor();
}

test('every kind of context, rendered for people and saved as screenshots', async () => {
  for (const { name, input } of await env.server.applyExamples()) {
    approvals[name] = await env.server.admin.startForApproval(name, input);
  }
  const page = await openPage(env.browser, env.server);
  const details = page.locator('[aria-labelledby="details-title"]');  // not the timeline's
  await signIn(page, env.users.alice.token);
  await page.locator('.qrow', { hasText: approvals['invoice-payment'].message }).waitFor();
  await page.waitForFunction(() => document.title.startsWith('(4) '));
  await screenshot(page, 'queue');

  await open(page, approvals['invoice-payment']);
  assert.equal(await details.locator('.fact-amount dd').innerText(), '7,200');
  await screenshot(page, 'approval-amount');

  const deletion = approvals['data-deletion'];
  await open(page, deletion);
  const rows = Math.min(50, deletion.show.preview.length);
  assert.equal(await details.locator('.records tbody tr').count(), rows);
  await details.locator('.records th', { hasText: 'Email' }).waitFor();
  // The gate on the delete call shows the exact request beside the preview.
  const request = await details.locator('pre.request').innerText();
  assert.match(request, /^POST http:\/\/127\.0\.0\.1:\d+\/deletions\n/);
  assert.ok(request.includes(`"${deletion.show.body.ids[0]}"`), request);
  await screenshot(page, 'approval-records');

  await open(page, approvals['customer-email']);
  const body = await details.locator('.email-body').innerText();
  assert.ok(body.startsWith('Hi Maria,\n\nThank you'), body);  // its line breaks kept
  await details.locator('.email-header', { hasText: 'maria.keller@example.com' }).waitFor();
  await screenshot(page, 'approval-email');

  await open(page, approvals['production-change']);
  await details.locator('.diff-add').first().waitFor();
  await details.locator('.diff-del').first().waitFor();
  await details.locator('.tree').first().waitFor();  // the rollout, nested and collapsible
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
