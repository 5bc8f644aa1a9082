// The dashboard tests' shared set-up, on the harness (harness.mjs): a test file calls
// useDashboard once and finds, in its tests, a server with its workflows and users and a browser.
//
//   const env = useDashboard({ workflows: [w], users: { alice: ['finance'] } });
//   test('...', async () => { await openPage(env.browser, env.server); env.users.alice.token });
import { after, before } from 'node:test';
import { launchBrowser, startServer } from './harness.mjs';

export function useDashboard({ workflows = [], users = {} } = {}) {
  const env = { server: null, browser: null, users: {} };
  before(async () => {
    env.server = await startServer();
    for (const workflow of workflows) {
      await env.server.admin.put(`/v1/workflows/${workflow.name}`, workflow);
    }
    for (const [id, groups] of Object.entries(users)) {
      env.users[id] = await env.server.addUser(id, groups);
    }
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
