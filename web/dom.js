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
export const newId = (prefix = 'u') => `${prefix}${++uid}`;

// A labelled form control: <label for=id>text</label><input id=id ...>, with an optional hint
// tied to the control by aria-describedby.
export function field(label, control, hint) {
  if (!control.id) control.id = newId('f');
  let help = null;
  if (hint) {
    help = h('span', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', help.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, help);
}

// "1 error", "2 errors".
export const plural = (n, one, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
export const num = (n) => Number(n).toLocaleString('en-US');

// A table from column headers and rows of cells (strings or nodes). Each cell carries its
// column's name (data-label), so a narrow screen can show rows as labelled cards.
export function table(caption, heads, rows, opts = {}) {
  const t = h('table', { class: opts.stack ? 'stack' : null },
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { 'data-label': heads[i] || null }, c))))));
  return h('div', { class: 'scroll', tabindex: opts.stack ? null : '0', role: opts.stack ? null : 'region',
    'aria-label': opts.stack ? null : (caption || opts.label || 'Table') }, t);
}

// A percentage people can read: "<0.1 %" rather than a 0 that hides six pods.
export function pctText(util) {
  if (!util || !util.total) return '–';
  const p = util.percent;
  if (util.used > 0 && p < 0.1) return '<0.1 %';
  return `${p < 10 ? Math.round(p * 10) / 10 : Math.round(p)} %`;
}

// A utilization bar with used and free counts, readable by screen readers. A prefix with any
// address in use shows at least a sliver, however large it is.
export function bar(util) {
  if (!util) return h('span', { class: 'util' }, '–');
  const free = Math.max(0, util.total - util.used);
  const pct = util.percent;
  const fill = h('span', { class: 'fill' + (pct >= 90 ? ' high' : pct >= 70 ? ' mid' : '') });
  fill.style.width = util.used > 0 ? `max(4px, ${Math.min(100, pct)}%)` : '0';
  const label = `${num(util.used)} of ${num(util.total)} used, ${num(free)} free (${pctText(util)})`;
  return h('span', { class: 'util', role: 'img', 'aria-label': label, title: label },
    h('span', { class: 'track' }, fill),
    h('span', { class: 'counts' }, h('b', {}, num(util.used)), ' used · ', h('b', {}, num(free)),
      ' free · ', pctText(util)));
}

// IP addresses as numbers, so tables sort 10.10.20.2 before 10.10.20.10 and ::9 before ::10.
// IPv4 sorts before IPv6; something that is not an address sorts last, as text.
export function ipKey(s) {
  s = String(s || '').split('/')[0].trim();
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s)) return s.split('.').reduce((n, o) => n * 256n + BigInt(Number(o)), 0n);
  if (s.includes(':')) {
    let tail = [];
    const m = s.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
    if (m) {
      const v4 = m[2].split('.').map(Number);
      s = m[1] + ((v4[0] << 8) | v4[1]).toString(16) + ':' + ((v4[2] << 8) | v4[3]).toString(16);
    }
    const [hi, lo] = s.split('::');
    const head = hi ? hi.split(':') : [];
    tail = lo !== undefined ? (lo ? lo.split(':') : []) : [];
    const groups = lo !== undefined ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
    if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
    return groups.reduce((n, g) => n * 65536n + BigInt(parseInt(g, 16)), 0n) + (1n << 128n);
  }
  return null;
}

export function compareIp(a, b) {
  const x = ipKey(a);
  const y = ipKey(b);
  if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return String(a).localeCompare(String(b));
}

// A table the operator can sort (click a column heading) and filter (a text box that matches
// any cell). columns: [{label, value(row) → sort/filter text, cell(row) → node or text,
// ip: true for address order, num: true for numbers}].
export function sortTable({ label, columns, rows, filterLabel, initial = 0, empty = 'Nothing here.' }) {
  let sortCol = initial;
  let dir = 1;
  const tbody = h('tbody');
  const count = h('p', { class: 'hint', 'aria-live': 'polite' });
  const filter = h('input', { type: 'search', name: 'filter', autocomplete: 'off',
    placeholder: 'address, name, status…' });
  const heads = columns.map((c, i) => {
    const btn = h('button', { type: 'button', class: 'sort' }, c.label, h('span', { class: 'arrow', 'aria-hidden': 'true' }));
    btn.addEventListener('click', () => {
      dir = sortCol === i ? -dir : 1;
      sortCol = i;
      draw();
    });
    return h('th', { scope: 'col' }, c.sortable === false ? c.label : btn);
  });
  const text = (c, r) => String(c.value ? (c.value(r) ?? '') : '');
  function draw() {
    const q = filter.value.trim().toLowerCase();
    const c = columns[sortCol];
    const shown = rows.filter((r) => !q || columns.some((col) => text(col, r).toLowerCase().includes(q)));
    shown.sort((a, b) => {
      const x = text(c, a);
      const y = text(c, b);
      const d = c.ip ? compareIp(x, y) : c.num ? Number(x) - Number(y)
        : x.localeCompare(y, 'en', { numeric: true, sensitivity: 'base' });
      return d * dir;
    });
    heads.forEach((th, i) => {
      if (i === sortCol) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
      const arrow = th.querySelector('.arrow');
      if (arrow) arrow.textContent = i === sortCol ? (dir > 0 ? ' ▲' : ' ▼') : '';
    });
    tbody.replaceChildren(...shown.map((r) => h('tr', {}, columns.map((col) => {
      const v = col.cell ? col.cell(r) : text(col, r);
      return h('td', { 'data-label': col.label }, v);
    }))));
    count.textContent = q ? `${plural(shown.length, 'row')} of ${rows.length} match “${filter.value.trim()}”.`
      : `${plural(rows.length, 'row')}.`;
  }
  filter.addEventListener('input', draw);
  draw();
  if (!rows.length) return h('p', { class: 'hint empty' }, empty);
  return h('div', { class: 'sorttable' },
    h('div', { class: 'search' }, field(filterLabel || `Filter ${label.toLowerCase()}`, filter), count),
    h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': `${label} table` },
      h('table', {}, h('caption', { class: 'sr' }, `${label}, sortable: activate a column heading to sort by it`),
        h('thead', {}, h('tr', {}, heads)), tbody)));
}

// When something happened, as the operator's clock says, in a <time> element.
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || '';
  const text = d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return h('time', { datetime: iso, title: iso }, text);
}
