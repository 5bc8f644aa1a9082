// The page as a real server serves it: with its security headers, without a console error, and
// with hostile values from a run's data shown as text that runs nothing, in the queue and on
// the approval's own page. Also proves the harness (tests/browser/harness.mjs) end to end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, openPage, screenshot, signIn, startServer, waitFor } from './harness.mjs';

// Each would run script if it reached the DOM as HTML: set a flag, or open a dialog.
const HOSTILE = {
  script: '<script>window.__assentPwned = "script"</script>',
  img: '<img src=x onerror="window.__assentPwned = \'img\'; alert(1)">',
  svg: '<svg onload="window.__assentPwned = \'svg\'"></svg>',
};

const hostileWorkflow = {
  name: 'hostile-vendor',
  editors: ['group:finance'],
  steps: [
    { id: 'extract', type: 'code', lua: 'return input' },
    { id: 'review', type: 'approval', message: 'Pay {{steps.extract.vendor}}?',
      show: { vendor: '{{steps.extract.vendor}}', note: '{{steps.extract.note}}',
              lines: '{{steps.extract.lines}}', nested: '{{steps.extract.nested}}' } },
  ],
};

let server;
let browser;
let alice;
let approval;

before(async () => {
  server = await startServer();
  await server.admin.put(`/v1/workflows/${hostileWorkflow.name}`, hostileWorkflow);
  alice = await server.addUser('alice', ['finance']);
  approval = await server.admin.startForApproval(hostileWorkflow.name, {
    vendor: HOSTILE.script,
    note: HOSTILE.img,
    lines: [{ name: HOSTILE.svg, email: HOSTILE.img }],  // a table's cells
    nested: { deeper: { value: HOSTILE.script } },       // a tree's leaves
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Waits until the page shows every one of `texts` as text, or has made an element from one
// (so that a page that parses them as HTML fails on what it made, not on a timeout).
function shownOrInjected(page, texts) {
  return waitFor(() => page.evaluate((wanted) =>
    wanted.every((text) => document.body.innerText.includes(text)) ||
      document.querySelector('[onerror], [onload], img[src="x"]') !== null, texts),
  `the page to show ${JSON.stringify(texts)}`);
}

// What must hold on any page showing the hostile approval: no element, attribute or flag made
// from its values, no dialog, no console error (a CSP refusal would log one).
async function assertNothingRan(page) {
  const found = await page.evaluate(() => ({
    pwned: window.__assentPwned ?? null,
    handlers: [...document.querySelectorAll('[onerror], [onload]')].map((e) => e.outerHTML),
    scripts: [...document.scripts].filter((s) => s.text.includes('__assentPwned')).length,
    images: [...document.images].filter((i) => i.getAttribute('src') === 'x').length,
  }));
  assert.deepEqual(found, { pwned: null, handlers: [], scripts: 0, images: 0 });
  assert.deepEqual(page.problems, []);
}

test('the page is served with a strict CSP, nosniff and no framing, and loads cleanly', async () => {
  const page = await openPage(browser, server);
  const headers = page.response.headers();
  assert.equal(page.response.status(), 200);
  const csp = headers['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  await signIn(page, alice.token);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('hostile values in an approval show as text in the queue and run nothing', async () => {
  const page = await openPage(browser, server);
  await signIn(page, alice.token);
  await shownOrInjected(page, [`Pay ${HOSTILE.script}?`]);
  await assertNothingRan(page);
  await page.context().close();
});

test("hostile values show as text on the approval's page, in fields, tables and trees",
  async () => {
    const page = await openPage(browser, server, { path: `/approvals/${approval.id}` });
    await signIn(page, alice.token);
    await shownOrInjected(page, Object.values(HOSTILE));
    await screenshot(page, 'hostile-approval');
    await assertNothingRan(page);
    await page.context().close();
  });
