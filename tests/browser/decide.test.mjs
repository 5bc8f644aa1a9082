// Deciding: approve (also with edits), reject with feedback and comment from an approval's page,
// each acknowledged where the reviewer looks; a viewer's 403 and a slower reviewer's 409 said in
// words; the keyboard (j/k, a, r, c, ?) and the approval's own URL with back and forward.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';
import { invoice } from './workflows.mjs';

const env = useDashboard({
  workflows: [invoice], users: { alice: ['finance'], bob: ['finance'], carol: ['audit'] },
});

const pay = (vendor, amount = 7200) =>
  env.users.bob.rest.startForApproval(invoice.name, { invoice: `INV-${vendor}`, amount, vendor });
const approvalUrl = (approval) => `${env.server.url}/approvals/${encodeURIComponent(approval.id)}`;
const timeline = (page, text) => page.locator('.timeline .event', { hasText: text });

async function openApproval(page, approval) {
  await page.goto(approvalUrl(approval));
  await page.locator('.detail-title', { hasText: approval.message }).waitFor();
}

test('approve: confirmed, acknowledged, and the run moves on in the timeline', async () => {
  const approval = await pay('Approvco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await openApproval(page, approval);
  await page.click('button[data-action="approve"]');
  await page.locator('#decision-submit', { hasText: 'Confirm approval' }).waitFor();
  await page.fill('#decision-text', 'checked the PO');
  await page.click('#decision-submit');
  await page.locator('.toast', { hasText: 'Approved' }).waitFor();
  await page.locator('.outcome', { hasText: 'Approved by alice' }).waitFor();
  await timeline(page, 'alice approved').locator('text=checked the PO').waitFor();
  await timeline(page, 'Run completed').waitFor();
  const decided = await env.server.admin.get(`/v1/approvals/${approval.id}`);
  assert.equal(decided.status, 'approved');
  assert.equal(decided.decisions[0].reviewer, 'alice');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('approve with edits: a changed amount is what the run goes on with, shown as a diff', async () => {
  const approval = await pay('Editco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await openApproval(page, approval);
  await page.click('button[data-action="approve"]');
  await page.click('#edit-fields summary');
  assert.equal(await page.inputValue('#edit-amount'), '7200');
  await page.fill('#edit-amount', 'lots');
  await page.click('#decision-submit');
  await page.locator('.decision-panel .form-error', { hasText: 'Amount must be JSON' }).waitFor();
  await page.fill('#edit-amount', '6500');
  await page.fill('#edit-vendor', 'Editco Ltd');
  await page.click('#decision-submit');
  await page.locator('#approved-edits', { hasText: 'Approved with edits' }).waitFor();
  const diff = timeline(page, 'alice approved the request with edits');
  await diff.locator('.edit-diff li', { hasText: 'amount: 7200 → 6500' }).waitFor();
  await diff.locator('.edit-diff li', { hasText: 'vendor: Editco → Editco Ltd' }).waitFor();
  const decided = await env.server.admin.get(`/v1/approvals/${approval.id}`);
  assert.deepEqual(decided.decisions[0].edits, { amount: 6500, vendor: 'Editco Ltd' });
  await timeline(page, 'Run completed').waitFor();
  const run = await env.server.admin.get(`/v1/runs/${approval.run_id}`);
  assert.equal(run.steps.review.show.amount, 6500);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('reject asks for feedback, and the run fails with it', async () => {
  const approval = await pay('Rejectco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await openApproval(page, approval);
  await page.keyboard.press('r');
  await page.locator('#decision-text:focus').waitFor();
  await page.click('#decision-submit');
  await page.locator('.decision-panel .form-error', { hasText: 'Say why' }).waitFor();
  await page.fill('#decision-text', 'Not our vendor.\nAsk procurement.');
  await page.keyboard.press('Control+Enter');
  await page.locator('.outcome', { hasText: 'Rejected by alice' }).waitFor();
  await timeline(page, 'Run failed').waitFor();
  const feedback = await page.locator('.outcome .comment-body').innerText();
  assert.equal(feedback, 'Not our vendor.\nAsk procurement.');  // line breaks kept
  const decided = await env.server.admin.get(`/v1/approvals/${approval.id}`);
  assert.equal(decided.status, 'rejected');
  assert.equal(decided.decisions[0].comment, 'Not our vendor.\nAsk procurement.');
  await page.context().close();
});

test('comment: c focuses the box; the comment shows in the timeline with its author', async () => {
  const approval = await pay('Commentco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await openApproval(page, approval);
  await page.keyboard.press('c');
  await page.locator('#comment-text:focus').waitFor();
  await page.keyboard.type('Is this the March invoice?');
  await page.click('#comment-submit');
  await page.locator('.toast', { hasText: 'Comment added' }).waitFor();
  await timeline(page, 'alice commented').locator('text=Is this the March invoice?').waitFor();
  assert.equal(await page.inputValue('#comment-text'), '');
  const stored = await env.server.admin.get(`/v1/approvals/${approval.id}`);
  assert.equal(stored.comments[0].author, 'alice');
  await page.context().close();
});

test('a viewer sees who may decide, may comment, and is not offered a decision', async () => {
  const approval = await pay('Viewco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.carol.token);
  await openApproval(page, approval);
  // The server says who may decide (can_decide): the buttons say it before any attempt.
  assert.ok(await page.locator('button[data-action="approve"]').isDisabled());
  assert.ok(await page.locator('button[data-action="reject"]').isDisabled());
  await page.locator('.action-note', { hasText: 'deciding is for' }).waitFor();
  await page.locator('#approvers .chip', { hasText: 'group:finance' }).waitFor();
  await page.locator('.side-note', { hasText: 'You may not decide this' }).waitFor();
  await page.keyboard.press('a');  // nothing to confirm
  assert.equal(await page.locator('.decision-panel').isHidden(), true);
  await page.fill('#comment-text', 'Audit: fine by us.');
  await page.click('#comment-submit');
  await page.locator('.timeline .event', { hasText: 'carol commented' }).waitFor();
  assert.equal((await env.server.admin.get(`/v1/approvals/${approval.id}`)).status, 'pending');
  await page.context().close();
});

test('someone faster: a 409 says so in words and shows who decided', async () => {
  const approval = await pay('Raceco');
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  // A slow network: from here on, nothing from the env.server reaches this page until released.
  let holding = false;
  const held = [];
  await page.routeWebSocket(/\/v1\/stream$/, (socket) => {
    const upstream = socket.connectToServer();
    socket.onMessage((message) => upstream.send(message));
    upstream.onMessage((message) => (holding ? held.push(() => socket.send(message)) :
      socket.send(message)));
  });
  await page.route(/[?&]wait=/, async (route) => {
    const response = await route.fetch();
    if (holding) held.push(() => route.fulfill({ response }));
    else await route.fulfill({ response });
  });
  await openApproval(page, approval);
  await page.locator('#connection', { hasText: 'Live' }).waitFor();
  await page.keyboard.press('a');
  await page.locator('#decision-submit:focus').waitFor();
  holding = true;
  await env.users.bob.rest.post(`/v1/approvals/${approval.id}/decision`, { decision: 'approve' });
  await page.keyboard.press('Enter');
  await page.locator('.toast', { hasText: 'Someone was faster' }).waitFor();
  await page.locator('.outcome', { hasText: 'Approved by bob' }).waitFor();
  holding = false;
  for (const release of held) await release();
  await page.context().close();
});

test('keyboard: j/k move through the queue, ? lists the keys; back and forward work', async () => {
  const first = await pay('Keyone', 5100);
  const second = await pay('Keytwo', 5200);
  const page = await openPage(env.browser, env.server);
  await signIn(page, env.users.alice.token);
  await page.locator('.qrow', { hasText: 'Keytwo' }).waitFor();
  await page.keyboard.press('j');  // the newest first
  await page.locator('.detail-title', { hasText: second.message }).waitFor();
  await page.keyboard.press('j');
  await page.locator('.detail-title', { hasText: first.message }).waitFor();
  assert.ok(page.url().includes(encodeURIComponent(first.id)), page.url());
  await page.keyboard.press('k');
  await page.locator('.detail-title', { hasText: second.message }).waitFor();
  await page.locator('.qrow.is-selected', { hasText: 'Keytwo' }).waitFor();

  await page.keyboard.press('?');
  await page.locator('dialog.help[open]', { hasText: 'Reject with feedback' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('dialog.help[open]').waitFor({ state: 'detached' }).catch(() => {});
  await page.locator('dialog.help:not([open])').waitFor({ state: 'attached' });

  // Runs and back: the approval comes back from history.
  await page.click('.nav-link[data-nav="runs"]');
  await page.locator('.run-row').first().waitFor();
  await page.goBack();
  await page.locator('.detail-title', { hasText: second.message }).waitFor();
  await page.goForward();
  await page.locator('#runs-title').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
