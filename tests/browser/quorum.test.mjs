// Quorums in the dashboard: a release that needs two approvals shows "0 of 2 approvals" in the
// queue and on its page; after alice's vote her page says she has decided and lists her vote,
// bob's queue row moves to "1 of 2 approvals" live, and bob's approval decides it for both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, signIn } from './harness.mjs';
import { useDashboard } from './dashboard_fixture.mjs';

const release = {
  name: 'release', editors: ['alice', 'bob', 'carol'],
  steps: [
    { id: 'review', type: 'approval', message: 'Release {{input.version}}?', quorum: 2 },
    { id: 'ship', type: 'code', lua: 'return {by = steps.review.reviewer}' },
  ],
};

const env = useDashboard({ workflows: [release], users: { alice: [], bob: [], carol: [] } });

test('two of three approve: progress, the voter\'s note, and who decided', async () => {
  const approval = await env.users.carol.rest.startForApproval(release.name, { version: '4.2' });
  assert.equal(approval.quorum, 2);

  const bob = await openPage(env.browser, env.server);
  await signIn(bob, env.users.bob.token);
  const bobRow = bob.locator('.qrow', { hasText: 'Release 4.2?' });
  await bobRow.locator('.quorum', { hasText: '0 of 2 approvals' }).waitFor();

  const alice = await openPage(env.browser, env.server);
  await signIn(alice, env.users.alice.token);
  await alice.goto(`${env.server.url}/approvals/${encodeURIComponent(approval.id)}`);
  await alice.locator('#quorum-progress', { hasText: '0 of 2 approvals' }).waitFor();
  await alice.click('button[data-action="approve"]');
  await alice.fill('#decision-text', 'tests are green');
  await alice.click('#decision-submit');
  await alice.locator('#quorum-progress', { hasText: '1 of 2 approvals' }).waitFor();
  await alice.locator('.action-note', { hasText: 'You have decided' }).waitFor();
  await alice.locator('#votes li', { hasText: 'alice approved: tests are green' }).waitFor();
  assert.equal(await alice.locator('button[data-action="approve"]').isDisabled(), true);

  // bob's queue hears of the vote over the stream.
  await bobRow.locator('.quorum', { hasText: '1 of 2 approvals' }).waitFor();
  await bobRow.click();
  await bob.locator('#votes li', { hasText: 'alice approved' }).waitFor();
  await bob.click('button[data-action="approve"]');
  await bob.click('#decision-submit');
  await bob.locator('.outcome', { hasText: 'Approved by bob' }).waitFor();
  await alice.locator('.outcome', { hasText: 'Approved by bob' }).waitFor();
  // The timeline tells the vote from the decision.
  await bob.locator('.timeline .event', { hasText: 'alice approved the request (a vote: 1 of 2)' })
    .waitFor();
  await bob.locator('.timeline .event', { hasText: 'bob approved the request', hasNotText: 'a vote' })
    .waitFor();

  const decided = await env.server.admin.get(`/v1/approvals/${approval.id}`);
  assert.equal(decided.status, 'approved');
  assert.deepEqual(decided.decisions.map((d) => d.reviewer), ['alice', 'bob']);
  assert.deepEqual(alice.problems, []);
  assert.deepEqual(bob.problems, []);
  await alice.context().close();
  await bob.context().close();
});
