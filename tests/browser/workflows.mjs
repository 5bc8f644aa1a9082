// The workflow most browser tests apply: an invoice over an amount, with code steps only (no
// demo service to start; screenshots.test.mjs shows the product's examples/ instead). Editors
// are group:finance; group:audit only views.
const access = { editors: ['group:finance'], viewers: ['group:audit'] };

export const invoice = {
  name: 'invoice-payment', ...access,
  steps: [
    { id: 'extract', type: 'code',
      lua: 'return {invoice = input.invoice, amount = input.amount, vendor = input.vendor}' },
    { id: 'review', type: 'approval',
      message: 'Pay {{steps.extract.amount}} to {{steps.extract.vendor}}?',
      show: { invoice: '{{steps.extract.invoice}}', amount: '{{steps.extract.amount}}',
              vendor: '{{steps.extract.vendor}}', currency: 'EUR' }, edits: true },
    { id: 'pay', type: 'code', lua: "return {payment_id = 'pay-' .. steps.extract.invoice}" },
  ],
};
