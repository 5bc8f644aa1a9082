// Retrying a failed run from its page: the Retry button shows only to those who may retry it
// (the workflow's editors and admins), and clicking it takes the run on from the step it failed
// at, with the timeline saying who retried it.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { openPage, screenshot, signIn, waitFor } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';

// A payee that refuses the first payment with a 404 (not retried by default: the run fails at
// once) and takes the next.
const payee = { server: null, url: '', requests: [] };
before(async () => {
  payee.server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      payee.requests.push(request.headers['idempotency-key']);
      const first = payee.requests.length === 1;
      response.writeHead(first ? 404 : 200, { 'Content-Type': 'application/json' });
      response.end(first ? '{"error": "no such payee yet"}' : '{"paid": true}');
    });
  });
  await new Promise((resolve) => payee.server.listen(0, '127.0.0.1', resolve));
  payee.url = `http://127.0.0.1:${payee.server.address().port}/pay`;
});
after(() => payee.server?.close());

const payout = () => ({
  name: 'payout', editors: ['group:finance'], viewers: ['group:audit'],
  steps: [
    { id: 'pay', type: 'http', url: payee.url, body: { amount: '{{input.amount}}' } },
    { id: 'done', type: 'code', lua: 'return {paid = steps.pay.paid}' },
  ],
});

const env = useDashboard({ users: { alice: ['finance'], carol: ['audit'] } });

test('a failed run shows Retry to its editors, and a click takes it on to the end', async () => {
  await env.server.admin.put('/v1/workflows/payout', payout());
  const { run_id: runId } = await env.users.alice.rest.post('/v1/workflows/payout/runs',
                                                            { input: { amount: 40 } });
  await waitFor(async () => (await env.users.alice.rest.get(`/v1/runs/${runId}`)).status ===
    'failed', `run ${runId} to fail at its payment`);

  const viewer = await openPage(env.browser, env.server, { path: `/runs/${runId}` });
  await signIn(viewer, env.users.carol.token);
  await viewer.locator('.outcome-rejected', { hasText: 'HTTP 404' }).waitFor();
  assert.equal(await viewer.locator('#retry-run').count(), 0, 'a viewer may not retry');
  await viewer.context().close();

  const page = await openPage(env.browser, env.server, { path: `/runs/${runId}` });
  await signIn(page, env.users.alice.token);
  const event = (text) => page.locator('.timeline .event', { hasText: text });
  await event('Run failed').waitFor();
  await screenshot(page, 'run-failed-retry');
  await page.click('#retry-run');
  await event('alice retried the run from step pay').waitFor();
  await event('Run completed').waitFor();
  await page.locator('.detail-meta .badge-completed').waitFor();
  assert.equal(await page.locator('#retry-run').count(), 0, 'nothing left to retry');
  assert.equal(payee.requests.length, 2);
  assert.equal(payee.requests[0], payee.requests[1], 'the retried payment keeps its key');
  const types = await page.$$eval('.timeline .event', (items) => items.map((i) => i.dataset.type));
  assert.deepEqual(types, ['run.started', 'step.started', 'step.failed', 'run.failed',
                           'run.retried', 'step.started', 'step.completed', 'step.completed',
                           'run.completed']);
  const audit = await env.server.admin.get(`/v1/audit?run=${runId}`);
  assert.equal(audit.entries[0].action, 'run.retried');
  assert.equal(audit.entries[0].actor, 'alice');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
