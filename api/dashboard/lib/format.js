// How values read for people: ages, times, numbers, field names.

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 });
const amountFormat = new Intl.NumberFormat(undefined, {
  minimumFractionDigits: 2, maximumFractionDigits: 2,
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
});
const dateFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC',
});
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT_KEY = /(amount|total|price|cost|balance|sum|fee|payment)s?$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

// "invoice_id" -> "Invoice id", "recordCount" -> "Record count".
export function label(key) {
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1).toLowerCase() : String(key);
}

export function isAmountKey(key) {
  return AMOUNT_KEY.test(String(key));
}

// 7200 -> "7,200"; under an amount-like key, or with a currency beside it, two decimals.
export function number(value, key, currency) {
  if (typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) && isAmountKey(key ?? '')) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
    } catch { /* an unknown code: plain below */ }
  }
  if (isAmountKey(key ?? '') && !Number.isInteger(value)) return amountFormat.format(value);
  return numberFormat.format(value);
}

export function looksLikeTime(text) {
  return typeof text === 'string' && ISO_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

// A date alone ("2026-08-28") is a calendar day, shown as that day wherever the reader is.
export function dateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return (DATE_ONLY.test(iso) ? dateFormat : dateTimeFormat).format(date);
}

// "just now", "4 min", "3 h", "2 d" since the time given; never negative.
export function age(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '';
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

export function ago(iso) {
  const text = age(iso);
  return text === 'just now' || text === '' ? text : `${text} ago`;
}

// How long until a due time: "in 3 h", or "overdue" once it has passed.
export function timeLeft(iso, now = Date.now()) {
  const due = Date.parse(iso);
  if (Number.isNaN(due)) return '';
  if (due <= now) return 'overdue';
  const text = age(new Date(now - (due - now)).toISOString(), now);
  return text === 'just now' ? 'in under a minute' : `in ${text}`;
}

// A run or approval id is long; its tail tells runs apart at a glance.
export function shortId(id) {
  const text = String(id);
  return text.length > 14 ? `…${text.slice(-8)}` : text;
}

// One line for a scalar shown beside others (queue rows, table cells).
export function scalar(value, key) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return number(value, key);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (looksLikeTime(value)) return dateTime(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

// Where a quorum stands: "1 of 2 approvals" (and the rejections, when more than one decides);
// empty for an approval the first decision decides.
export function quorumProgress(approval) {
  if (!approval.quorum) return '';
  const count = (kind) => approval.decisions?.filter((d) => d.decision === kind).length ?? 0;
  const approvals = `${count('approve')} of ${approval.quorum} approvals`;
  return approval.reject_quorum > 1 ?
    `${approvals} · ${count('reject')} of ${approval.reject_quorum} rejections` : approvals;
}

export function plural(count, one, many = `${one}s`) {
  return `${numberFormat.format(count)} ${count === 1 ? one : many}`;
}
