// Hostile values in a run's data render as text and run nothing: a <script> and an
// <img onerror> in the message, the shown fields, a records table, an email body, a comment and
// the run's input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, signIn, useDashboard } from './page_harness.mjs';

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

test('a <script> and an <img onerror> in an approval render as text and run nothing', async () => {
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
  await page.context().close();
});
