// An outside agent's gate (POST /v1/gates) in the dashboard: it reaches the reviewer's queue
// live, marked as an agent gate with its title; its page shows the agent's message, its context
// and its own history (no run's); approving it with an edit answers the agent's long poll with
// the edited context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rest, openPage, screenshot, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';

const env = useDashboard({ users: { lead: ['support-leads'] } });

test('a gate is queued, shown and decided like any approval, and the agent gets the edits',
  async () => {
    const added = await env.server.admin.post('/v1/users', { id: 'agent', service: true });
    const agent = new Rest(env.server.url, added.token.token);
    const page = await openPage(env.browser, env.server);
    await signIn(page, env.users.lead.token);
    await page.locator('.queue-state.state-empty').waitFor();
    await page.locator('#connection', { hasText: 'Live' }).waitFor();

    const gate = await agent.post('/v1/gates', {
      title: 'Refund order A-1001',
      message: 'The support agent wants to refund {{order}} in full.',
      context: { order: 'A-1001', amount: 129.9 },
      approvers: ['group:support-leads'],
    });
    const row = page.locator('.qrow', { hasText: 'Refund order A-1001' });
    await row.locator('.wf', { hasText: 'Agent gate' }).waitFor();
    await row.click();
    await page.locator('.detail-title', { hasText: 'Refund order A-1001' }).waitFor();
    await page.locator('#gate-message', {
      hasText: 'The support agent wants to refund {{order}} in full.' }).waitFor();
    await page.locator('.side-fact', { hasText: 'Opened by' }).locator('dd', { hasText: 'agent' })
      .waitFor();
    await page.locator('.timeline .event', { hasText: 'agent opened the gate' }).waitFor();
    await page.fill('#comment-text', 'Checking the order history first.');
    await page.click('#comment-submit');
    await page.locator('.timeline .event', { hasText: 'lead commented' })
      .locator('text=Checking the order history first.').waitFor();
    await screenshot(page, 'agent-gate');

    const poll = agent.get(`/v1/gates/${gate.id}?wait=20s`);
    await page.click('button[data-action="approve"]');
    await page.click('#edit-fields summary');
    assert.equal(await page.inputValue('#edit-amount'), '129.9');
    await page.fill('#edit-amount', '64.95');
    await page.click('#decision-submit');
    await page.locator('.toast', { hasText: 'The agent goes ahead.' }).waitFor();
    await page.locator('.timeline .event', { hasText: 'lead approved the request with edits' })
      .locator('.edit-diff li', { hasText: 'amount: 129.9 → 64.95' }).waitFor();
    const decided = await poll;
    assert.equal(decided.status, 'approved');
    assert.equal(decided.reviewer, 'lead');
    assert.equal(decided.approved_context.amount, 64.95);
    assert.equal(decided.context.amount, 129.9);
    assert.deepEqual(page.problems, [], 'no console errors: the page asks for no run');
    await page.context().close();
  });
