// Status badges for approvals and runs: a word and a colour, the same everywhere.
import { h } from '../lib/dom.js';

const WORDS = {
  pending: 'Pending', approved: 'Approved', rejected: 'Rejected', cancelled: 'Cancelled',
  timed_out: 'Timed out',
  running: 'Running', waiting: 'Waiting', completed: 'Completed', failed: 'Failed',
};

export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}` }, WORDS[status] ?? status);
}
