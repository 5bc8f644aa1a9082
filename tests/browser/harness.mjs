// The shared harness of the dashboard's browser tests (tests/browser/*.test.mjs, run with
// `node --test`; ctest runs each file under the label `browser`). Everything is real: an
// `assent serve` process on 127.0.0.1 with an OS-chosen port and a fresh data dir, the REST
// API, and Debian's headless Chromium driven by playwright-core. Every wait is bounded and fails
// saying what it waited for; nothing sleeps to synchronise.
//
//   const server = await startServer();        // {url, port, dataDir, admin: Rest, process}
//   const alice = await server.addUser('alice', ['finance']);   // {id, token, rest: Rest}
//   await server.admin.put('/v1/workflows/w', definition);
//   const approval = await alice.rest.startForApproval('w', {amount: 1});  // pending approval
//   await server.applyExamples();              // examples/*.json, calling a demo service
//   const browser = await launchBrowser();
//   const page = await openPage(browser, server);  // page.problems: console errors, dialogs
//   await signIn(page, alice.token);           // types the token into the sign-in form
//   await screenshot(page, 'queue');           // $ASSENT_SCREENSHOT_DIR or build/screenshots
//   await server.kill9(); await server.restart();  // same port, same data dir
//   await waitFor(async () => ..., 'what it waits for');
//   await browser.close(); await server.stop();    // stop() also removes the data dir
//
// Environment (ctest sets the first two): ASSENT_BIN, the `assent` binary (default
// build/api/assent); ASSENT_SCREENSHOT_DIR (default build/screenshots); ASSENT_DASHBOARD_DIR,
// served with --dashboard-dir so page edits show without a rebuild; CHROMIUM (default
// /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const assentBin = process.env.ASSENT_BIN ?? join(repoRoot, 'build/api/assent');
const screenshotDir = process.env.ASSENT_SCREENSHOT_DIR ?? join(repoRoot, 'build/screenshots');

// Generous: Chromium and the server share two loaded cores with builds and other tests.
export const WAIT_MS = 20000;
const ADMIN_TOKEN = 'browser-test-admin-token';
// The examples call their demo service here; applyExamples points them at the test's own.
const EXAMPLES_DEMO_URL = 'http://127.0.0.1:9999';

// Polls `check` until it returns something truthy and returns that; fails naming `what` (and
// the last error `check` threw) after `timeoutMs`.
export async function waitFor(check, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((tick) => setTimeout(tick, 25));  // poll interval, not a synchronisation
  }
}

// The REST API as one token sees it. A non-2xx answer throws an Error with .status and .body.
export class Rest {
  constructor(url, token) {
    this.url = url;
    this.token = token;
  }

  async call(method, path, body) {
    const response = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error(`${method} ${path}: ${response.status} ${text}`);
      Object.assign(error, { status: response.status, body: data });
      throw error;
    }
    return data;
  }

  get(path) { return this.call('GET', path); }
  post(path, body = {}) { return this.call('POST', path, body); }
  put(path, body) { return this.call('PUT', path, body); }

  // Starts a run of `workflow` and returns its first pending approval (GET /v1/approvals/{id}),
  // once the run has reached it.
  async startForApproval(workflow, input = {}) {
    const { run_id: runId } = await this.post(`/v1/workflows/${workflow}/runs`, { input });
    const run = await waitFor(async () => {
      const state = await this.get(`/v1/runs/${runId}`);
      if (['completed', 'failed', 'cancelled'].includes(state.status)) {
        throw new Error(`run ${runId} ${state.status} before asking: ${JSON.stringify(state)}`);
      }
      return state.pending_approvals?.length ? state : null;
    }, `run ${runId} of ${workflow} to ask for approval`);
    const pending = run.pending_approvals[0];
    return this.get(`/v1/approvals/${typeof pending === 'string' ? pending : pending.id}`);
  }
}

// Spawns `assent <args>` and resolves with {child, url, port} once it prints "listening on";
// rejects with its output if it exits or stays silent for WAIT_MS.
function spawnListening(args, env = {}) {
  const child = spawn(assentBin, args, {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolveStarted, reject) => {
    const timer = setTimeout(() => reject(new Error(
      `assent ${args[0]} did not say "listening on" within ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const read = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolveStarted({ child, url: match[1], port: Number(match[2]) });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error) => reject(new Error(`cannot run ${assentBin}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`assent ${args[0]} exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

// Kills `child` with SIGKILL (if it still runs) and waits until it has gone.
async function killNow(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await gone;
}

// The workflows of examples/ with their sample inputs (examples/inputs/<name>.json), their
// demo-service URLs pointed at `demoUrl`: [{name, definition, input}].
export function readExamples(demoUrl) {
  const folder = join(repoRoot, 'examples');
  return readdirSync(folder).filter((file) => file.endsWith('.json')).sort().map((file) => {
    const text = readFileSync(join(folder, file), 'utf8').replaceAll(EXAMPLES_DEMO_URL, demoUrl);
    const name = basename(file, '.json');
    const input = JSON.parse(readFileSync(join(folder, 'inputs', file), 'utf8'));
    return { name, definition: JSON.parse(text), input };
  });
}

// A real `assent serve` on a fresh data dir. `extraArgs` are added to serve's flags.
export async function startServer({ extraArgs = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'assent-browser-'));
  const children = [];  // the server, and the demo service once applyExamples started it
  const server = {
    dataDir, url: '', port: 0, admin: null, process: null,

    // Starts the server on `port` (0: the OS picks) with the same data dir.
    async listen(port) {
      const flags = ['serve', '--data', dataDir, '--listen', `127.0.0.1:${port}`, ...extraArgs];
      if (process.env.ASSENT_DASHBOARD_DIR) {
        flags.push('--dashboard-dir', process.env.ASSENT_DASHBOARD_DIR);
      }
      const started = await spawnListening(flags, { ASSENT_ADMIN_TOKEN: ADMIN_TOKEN });
      children.push(started.child);
      Object.assign(this, { process: started.child, url: started.url, port: started.port });
      this.admin = new Rest(this.url, ADMIN_TOKEN);
    },
    kill9() { return killNow(this.process); },
    restart() { return this.listen(this.port); },

    // Adds a user in `groups`; {id, token, rest} with its first token.
    async addUser(id, groups = []) {
      const answer = await this.admin.post('/v1/users', { id, groups });
      return { id, token: answer.token.token, rest: new Rest(this.url, answer.token.token) };
    },

    // Starts `assent demo-service` and applies every example workflow, pointed at it;
    // returns readExamples' list, so a test can start each with its sample input.
    async applyExamples() {
      const demo = await spawnListening(['demo-service', '--listen', '127.0.0.1:0']);
      children.push(demo.child);
      const examples = readExamples(demo.url);
      for (const { name, definition } of examples) {
        await this.admin.put(`/v1/workflows/${name}`, definition);
      }
      return examples;
    },

    async stop() {
      for (const child of children) await killNow(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await server.listen(0);
  return server;
}

// Headless Debian Chromium. Background networking stays off: this machine reaches 127.0.0.1
// only, and Chromium's own calls out would only fail (and slow it down).
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    timeout: WAIT_MS,
    args: ['--disable-dev-shm-usage', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

// A page of its own (own context, so its own sessionStorage) at `path` on the server, with
// Playwright's waits bounded by WAIT_MS. page.problems collects console errors, uncaught
// errors and dialogs (a dialog is dismissed: an alert() from a hostile value must not block).
export async function openPage(browser, server, { width = 1366, height = 768, path = '/' } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on('dialog', (dialog) => {
    page.problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.response = await page.goto(server.url + path);
  return page;
}

// Signs in as a reviewer would: types the token into the sign-in form and waits until the page
// shows who is signed in.
export async function signIn(page, token) {
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.waitForSelector('#signed-in-user');
}

// Saves a screenshot of the viewport as <screenshot dir>/<name>.png; returns its path.
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
