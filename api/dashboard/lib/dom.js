// Builds elements from data as text only. Values become text nodes or attribute values through
// the DOM's own setters, so nothing from a workflow or a run is ever parsed as HTML.

// h('a', {class: 'x', href: '/runs', onclick: f}, 'text', child, [more]) -> the element.
// Props: class, text, dataset, on<event> (listeners), anything else an attribute (true: present,
// false/null/undefined: left out).
export function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = String(value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

// Appends children: nodes as they are, anything else as a text node; arrays are flattened and
// null/undefined/false skipped.
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

// A decorative icon drawn by the stylesheet (class "icon icon-<name>"), hidden from readers.
export function icon(name) {
  return h('span', { class: `icon icon-${name}`, 'aria-hidden': 'true' });
}
