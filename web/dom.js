// Building the page from data without innerHTML: text is always text, never markup.

// h('a', {href: '#/'}, 'Home', child, [more]) → an element; on* attributes are listeners.
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === undefined || kid === null || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

let uid = 0;

// A labelled form control: <label for=id>text</label><input id=id ...>.
export function field(label, control) {
  if (!control.id) control.id = 'f' + (++uid);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

// A table from column headers and rows of cells (strings or nodes).
export function table(caption, heads, rows) {
  return h('div', { class: 'scroll' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

// A utilization bar with its number, readable by screen readers.
export function bar(util) {
  const pct = util ? Math.round(util.percent * 10) / 10 : 0;
  const fill = h('span', { class: 'fill' + (pct >= 90 ? ' high' : pct >= 70 ? ' mid' : '') });
  fill.style.width = Math.min(100, pct) + '%';
  return h('span', { class: 'util', role: 'img',
    'aria-label': util ? `${util.used} of ${util.total} used (${pct}%)` : 'no data' },
  h('span', { class: 'track' }, fill), h('span', { class: 'num' }, util ? `${pct}%` : '–'));
}
