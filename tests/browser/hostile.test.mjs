// Hostile values render as text and run nothing where safe_page.test.mjs does not look: in an
// email draft's header and body, a comment, the run's input in the timeline, and the run's page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';

const SCRIPT = '<script>window.__pwned = "script"</script>';
const IMG = '<img src=x onerror="window.__pwned = \'img\'">';

const hostile = {
  name: 'hostile', editors: ['group:finance'],
  steps: [
    { id: 'review', type: 'approval', message: 'Pay {{input.vendor}}?',
      show: { vendor: '{{input.vendor}}', note: '{{input.note}}', rows: '{{input.rows}}',
              draft: '{{input.draft}}', nested: { deeper: { html: '{{input.vendor}}' } } } },
  ],
};

const env = useDashboard({ workflows: [hostile], users: { alice: ['finance'] } });

test('a <script> and an <img onerror> in a draft, a comment and a run render as text', async () => {
  const approval = await env.users.alice.rest.startForApproval('hostile', {
    vendor: `${SCRIPT}${IMG}`,
    note: `line one ${IMG}\nline two ${SCRIPT}`,
    rows: [{ name: SCRIPT, email: IMG }, { name: 'plain', email: 'p@example.com' }],
    draft: { to: IMG, subject: SCRIPT, body: `Hello,\n${IMG}\n${SCRIPT}` },
  });
  await env.users.alice.rest.post(`/v1/approvals/${approval.id}/comments`,
                                  { text: `${IMG} ${SCRIPT}` });

  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await page.locator('.qrow', { hasText: '<img src=x' }).click();
  await page.locator('.detail-title').waitFor();
  await page.locator('.timeline .event', { hasText: 'alice commented' }).waitFor();
  await page.locator('.records td', { hasText: '<script>' }).first().waitFor();
  // Open the folded parts too (the run's input), so everything has been drawn.
  for (const summary of await page.locator('details summary').all()) await summary.click();

  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('#main img, #main script').count(), 0);
  assert.equal(await page.textContent('.detail-title'), `Pay ${SCRIPT}${IMG}?`);
  const text = await page.textContent('#main');
  for (const value of [SCRIPT, IMG]) assert.ok(text.includes(value), `shown as text: ${value}`);
  assert.deepEqual(page.problems, []);

  await page.click(`a[href="/runs/${approval.run_id}"]`);
  await page.locator('.timeline .event', { hasText: 'alice commented' }).waitFor();
  for (const summary of await page.locator('details summary').all()) await summary.click();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('#main img, #main script').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
