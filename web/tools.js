// The validation report with links to its objects, and the rendered configs.
import { all, api, describe, get } from './api.js';
import { field, h, table } from './dom.js';
import { ui } from './app.js';

// Where an object of the report is shown.
function objectLink(o, addrPrefix) {
  const text = `${o.type} ${o.id}`;
  const to = {
    prefix: `#/prefix/${o.id}`, host: `#/host/${o.id}`, 'ip-address': addrPrefix.get(o.id),
    'firewall-rule': '#/rules', port: '#/ports', 'wan-link': '#/ports', 'dns-zone': `#/dns/${o.id}`,
    vlan: '#/', service: null,
  }[o.type];
  return to ? h('a', { href: to }, text) : text;
}

export async function validateView() {
  const report = await get('/validate');
  // Only the addresses the report names are looked up, for the prefix page each is on.
  const ids = [...new Set(report.findings.flatMap((f) => f.objects)
    .filter((o) => o.type === 'ip-address').map((o) => o.id))].slice(0, 200);
  const addrs = await Promise.all(ids.map((id) => get(`/ip-addresses/${id}`).catch(() => null)));
  const addrPrefix = new Map(addrs.filter(Boolean).map((a) => [a.id, `#/prefix/${a.prefix_id}`]));
  const s = report.summary;
  ui.show(h('h1', {}, 'Validation report'),
    h('p', { id: 'validate-summary' }, `${s.errors} errors, ${s.warnings} warnings from ${s.checks} checks.`),
    table(null, ['Severity', 'Code', 'Finding', 'Objects'], report.findings.map((f) => [
      h('span', { class: `sev ${f.severity}` }, f.severity), f.code, f.message,
      h('span', { class: 'list' }, f.objects.map((o) => objectLink(o, addrPrefix)))])));
}

export async function renderView() {
  const [targets, hosts, zones] = await Promise.all([get('/render'), all('/hosts?ordering=name'),
    all('/dns-zones?ordering=name')]);
  const target = h('select', { name: 'target' }, targets.targets.map((t) =>
    h('option', { value: t.name }, t.name)));
  const host = h('select', { name: 'host' }, hosts.map((x) => h('option', { value: x.name }, x.name)));
  const zone = h('select', { name: 'zone' }, h('option', { value: '' }, '(reverse instead)'),
    zones.map((z) => h('option', { value: z.name }, z.name)));
  const reverse = h('input', { name: 'reverse', placeholder: '192.168.1.0/24' });
  const out = h('pre', { id: 'render-output', tabindex: '0' });
  const copy = h('button', { type: 'button' }, 'Copy');
  const download = h('a', { class: 'button', download: 'netsot.txt', href: '#' }, 'Download');
  const tools = h('div', { class: 'buttons' }, copy, download);
  tools.hidden = true;
  const params = h('div', {});
  const error = h('p', { class: 'msg err', role: 'alert' });
  error.hidden = true;
  const showParams = () => {
    const t = targets.targets.find((x) => x.name === target.value);
    const names = t.parameters.map((p) => p.name);
    params.replaceChildren(names.includes('host') ? field('Host', host) : '',
      names.includes('zone') ? field('Zone', zone) : '',
      names.includes('reverse') ? field('Reverse zone of prefix', reverse) : '');
  };
  target.addEventListener('change', showParams);
  const form = h('form', { class: 'card form' }, field('Target', target), params, error,
    h('button', { type: 'submit' }, 'Render'));
  let url = null;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    const t = targets.targets.find((x) => x.name === target.value);
    const names = t.parameters.map((p) => p.name);
    const q = new URLSearchParams();
    if (names.includes('host')) q.set('host', host.value);
    if (names.includes('zone') && zone.value) q.set('zone', zone.value);
    else if (names.includes('reverse')) q.set('reverse', reverse.value);
    try {
      const r = await api('GET', `/render/${t.name}${q.toString() ? `?${q}` : ''}`);
      const text = typeof r.data === 'string' ? r.data : JSON.stringify(r.data, null, 1);
      out.textContent = text;
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      download.href = url;
      download.download = `${t.name}${q.toString() ? `-${[...q.values()].join('-').replace(/[^A-Za-z0-9.-]/g, '_')}` : ''}.txt`;
      tools.hidden = false;
    } catch (e) {
      error.textContent = describe(e);
      error.hidden = false;
    }
  });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(out.textContent);
      ui.flash('Copied to the clipboard.');
    } catch (e) {
      ui.flash('The browser did not allow copying; select the text instead.', 'err');
    }
  });
  showParams();
  ui.show(h('h1', {}, 'Render a config'), form, tools, out);
}
