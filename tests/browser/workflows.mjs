// Workflows the browser tests apply: one per kind of context the page renders (amounts, a
// records preview, an email draft, a change summary with a nested rollout), all with code steps
// only so they need no other service. Editors are group:finance; group:audit only views.
const access = { editors: ['group:finance'], viewers: ['group:audit'] };

export const invoice = {
  name: 'invoice-payment', ...access,
  steps: [
    { id: 'extract', type: 'code',
      lua: 'return {invoice = input.invoice, amount = input.amount, vendor = input.vendor}' },
    { id: 'review', type: 'approval', message: 'Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?',
      show: { invoice: '{{steps.extract.invoice}}', amount: '{{steps.extract.amount}}',
              vendor: '{{steps.extract.vendor}}', currency: 'EUR' } },
    { id: 'pay', type: 'code', lua: "return {payment_id = 'pay-' .. steps.extract.invoice}" },
  ],
};

export const dataDeletion = {
  name: 'data-deletion', ...access,
  steps: [
    { id: 'fetch', type: 'code',
      lua: "local r = {} for i = 1, 40 do r[#r + 1] = {id = 'cus-' .. (1000 + i), " +
           "name = 'Customer ' .. i, email = 'c' .. i .. '@example.com', " +
           "created = '2025-0' .. (1 + i % 9) .. '-1' .. (i % 9) .. 'T10:00:00Z'} end " +
           'return {records = r}' },
    { id: 'review', type: 'approval', message: 'Delete 40 customer records older than 90 days?',
      show: { record_count: 40, table: 'customers', preview: '{{steps.fetch.records}}' } },
    { id: 'delete', type: 'code', lua: 'return {deleted = 40}' },
  ],
};

export const customerEmail = {
  name: 'customer-email', ...access,
  steps: [
    { id: 'draft', type: 'code',
      lua: "return {to = input.to, subject = 'About your refund', body = 'Hi ' .. input.name .. " +
           "',\\n\\nWe have processed your refund of 42.50 EUR; it reaches your account within " +
           "5 business days.\\n\\nBest,\\nThe Support Team'}" },
    { id: 'review', type: 'approval', message: 'Send this reply to {{input.to}}?',
      show: { draft: '{{steps.draft}}', ticket: '{{input.ticket}}' } },
    { id: 'send', type: 'code', lua: 'return {sent = true}' },
  ],
};

export const productionChange = {
  name: 'production-change', ...access,
  steps: [
    { id: 'plan', type: 'code',
      lua: "return {service = 'payments-api', environment = 'production', risk = 'medium', " +
           "summary = '@@ config/payments.yaml @@\\n-  max_retries: 3\\n+  max_retries: 5\\n" +
           "   region: eu-west-1', rollout = {strategy = 'canary', steps = {'5%', '25%', '100%'}, " +
           'rollback = {automatic = true, on_error_rate = 0.02}}}' },
    { id: 'review', type: 'approval', message: 'Deploy the payments-api change to production?',
      show: { service: '{{steps.plan.service}}', environment: '{{steps.plan.environment}}',
              risk: '{{steps.plan.risk}}', change_summary: '{{steps.plan.summary}}',
              rollout: '{{steps.plan.rollout}}' } },
    { id: 'apply', type: 'code', lua: 'return {applied = true}' },
  ],
};

export const all = [invoice, dataDeletion, customerEmail, productionChange];
