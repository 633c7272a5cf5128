// The validation report with the names of its objects, and the rendered configs: a preview,
// a download and a verdict (the plan's findings that concern the file, and the program that
// checks it where it is used: netsot runs none of them).
import { all, api, describe, get } from './api.js';
import { field, h, plural } from './dom.js';
import { ui } from './app.js';

const byId = (list) => new Map(list.map((x) => [x.id, x]));

// The names of the objects a report names: every object of the kinds it mentions (the lists
// are read only for the kinds that appear).
async function reportNames(findings) {
  const types = new Set(findings.flatMap((f) => f.objects.map((o) => o.type)));
  const path = { host: '/hosts', service: '/services', prefix: '/prefixes', vlan: '/vlans',
    'ip-address': '/ip-addresses', 'ip-range': '/ip-ranges', 'firewall-rule': '/firewall-rules',
    port: '/ports', 'wan-link': '/wan-links', 'dns-zone': '/dns-zones', 'dns-record': '/dns-records' };
  const wanted = [...types].filter((t) => path[t]);
  if (types.has('service') || types.has('port')) wanted.push('host');
  const lists = await Promise.all([...new Set(wanted)].map(async (t) => [t, byId(await all(path[t]).catch(() => []))]));
  return new Map(lists);
}

function nameOf(o, names) {
  const x = names.get(o.type) && names.get(o.type).get(o.id);
  if (!x) return `${o.type} #${o.id}`;
  const host = (id) => names.get('host') && names.get('host').get(id) ? names.get('host').get(id).name : '';
  switch (o.type) {
    case 'prefix': return x.prefix;
    case 'ip-address': return x.address;
    case 'ip-range': return `${x.start_address}–${x.end_address}`;
    case 'vlan': return `VLAN ${x.vid} ${x.name}`;
    case 'service': case 'port': return `${x.name} on ${host(x.host_id)}`;
    case 'dns-record': return `${x.name} ${x.type}`;
    default: return x.name || `${o.type} #${o.id}`;
  }
}

// Where an object of the report is shown.
function objectLink(o, names) {
  const x = names.get(o.type) && names.get(o.type).get(o.id);
  const text = `${o.type} ${nameOf(o, names)}`;
  const to = {
    prefix: `#/prefix/${o.id}`, host: `#/host/${o.id}`, 'ip-address': x ? `#/prefix/${x.prefix_id}` : null,
    'firewall-rule': '#/rules', port: '#/ports', 'wan-link': '#/ports', 'dns-zone': `#/dns/${o.id}`,
    vlan: '#/', service: x ? `#/host/${x.host_id}` : null, 'ip-range': x ? `#/prefix/${x.prefix_id}` : null,
  }[o.type];
  return to ? h('a', { href: to }, text) : text;
}

const summaryText = (s) => `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} from ${plural(s.checks, 'check')}.`;

export async function validateView() {
  const report = await get('/validate');
  const names = await reportNames(report.findings);
  const s = report.summary;
  const codes = [...new Set(report.findings.map((f) => f.code))];
  ui.show(h('h1', {}, 'Validation report'),
    h('p', { id: 'validate-summary', class: `msg ${s.errors ? 'err' : s.warnings ? 'warn' : 'ok'}` }, summaryText(s)),
    codes.length ? h('p', { class: 'hint' }, 'Findings by kind: ', codes.map((c) =>
      `${c} (${report.findings.filter((f) => f.code === c).length})`).join(', ')) : null,
    report.findings.length ? h('div', { class: 'scroll' }, h('table', { class: 'stack' },
      h('thead', {}, h('tr', {}, ['Severity', 'Code', 'Finding', 'Objects'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, report.findings.map((f) => h('tr', {},
        h('td', { 'data-label': 'Severity' }, h('span', { class: `sev ${f.severity}` }, f.severity)),
        h('td', { 'data-label': 'Code' }, f.code), h('td', { 'data-label': 'Finding' }, f.message),
        h('td', { 'data-label': 'Objects' }, h('span', { class: 'list' }, f.objects.map((o) => objectLink(o, names)))))))))
      : h('p', {}, 'No findings: the plan passes every check.'));
}

// For each target: the validation codes that concern what it writes, and how the program
// that reads it checks it (f: the downloaded file).
const TARGETS = {
  hosts: { codes: ['dns-name-conflict', 'dns-name-unallocated'], check: (f) => `getent -s files hosts NAME (after installing ${f} as /etc/hosts; glibc reads it)` },
  dnsmasq: { codes: ['dns-name-conflict', 'dns-name-unallocated', 'range-overlap'], check: (f) => `dnsmasq --test -C ${f}` },
  bind: { codes: ['dns-name-conflict', 'dns-name-unallocated'], check: (f, q) => `named-checkzone -k fail -i local ${q.get('zone') || 'ZONE'} ${f}` },
  nftables: { codes: ['firewall-rule-shadowed', 'service-unreachable'], check: (f) => `nft -c -f ${f} (as root, or in unshare -rn)` },
  iptables: { codes: ['firewall-rule-shadowed', 'service-unreachable'], check: (f) => `iptables-restore --test ${f}` },
  ufw: { codes: ['firewall-rule-shadowed', 'service-unreachable'], check: (f) => `each line of ${f} as ufw --dry-run …, then sh ${f} on the host` },
  interfaces: { codes: ['gateway-outside-prefix', 'gateway-unallocated', 'address-outside-prefix', 'port-vlan-without-prefix'],
    check: (f) => `ifup -n --no-scripts -a -i ${f}` },
  mwan3: { codes: ['wan-link-port-not-wan'], check: (f) => `uci -c DIR show ${f} (on OpenWrt, with ${f} in DIR)` },
  k3s: { codes: ['prefix-overlap'], check: (f) => `yamllint -s ${f}, then k3s check-config` },
  'ansible-inventory': { codes: [], check: () => 'ansible-inventory -i deploy/ansible/netsot-inventory --list' },
};

function verdict(t, q, file, report, names) {
  const spec = TARGETS[t.name] || { codes: [], check: (f) => `the program that reads ${f}` };
  const mine = report.findings.filter((f) => spec.codes.includes(f.code));
  const errors = report.findings.filter((f) => f.severity === 'error');
  const mineErrors = mine.filter((f) => f.severity === 'error');
  const state = mineErrors.length ? 'err' : mine.length ? 'warn' : 'ok';
  const head = mineErrors.length ? `✕ The plan has ${plural(mineErrors.length, 'error')} that concern this file.`
    : mine.length ? `⚠ ${plural(mine.length, 'warning')} of the plan concern this file.`
      : '✓ No validation finding concerns this file.';
  return h('section', { class: `verdict card ${state}`, id: 'render-verdict', 'aria-labelledby': 'verdict-h' },
    h('h2', { id: 'verdict-h' }, 'Verdict'),
    h('p', { class: `msg ${state}` }, head,
      errors.length && !mineErrors.length ? ` The plan has ${plural(errors.length, 'error')} elsewhere (see Validation).` : ''),
    h('p', {}, 'netsot does not run the programs that use this file. Check it where it is installed with:'),
    h('pre', { class: 'cmd', id: 'render-check' }, spec.check(file, q)),
    mine.length ? h('details', { open: mine.length <= 3 },
      h('summary', {}, `The ${plural(mine.length, 'finding')} that concern this file`),
      h('ul', {}, mine.slice(0, 20).map((f) => h('li', {}, h('span', { class: `sev ${f.severity}` }, f.severity), ' ',
        f.message, ' ', h('span', { class: 'list inline' }, f.objects.map((o) => objectLink(o, names)))))),
      mine.length > 20 ? h('p', {}, h('a', { href: '#/validate' }, `and ${mine.length - 20} more in the validation report`)) : null)
      : null,
    h('p', { class: 'hint' }, `The validation checks that concern it: ${spec.codes.length ? spec.codes.join(', ') : 'none in particular'}.`));
}

export async function renderView(name) {
  const [targets, hosts, zones, prefixes, report] = await Promise.all([get('/render'), all('/hosts?ordering=name'),
    all('/dns-zones?ordering=name'), all('/prefixes'), get('/validate')]);
  const names = await reportNames(report.findings);
  const list = targets.targets;
  const current = list.find((t) => t.name === name) || list[0];
  const router = hosts.find((x) => x.kind === 'router');
  const target = h('select', { name: 'target' }, list.map((t) =>
    h('option', { value: t.name, selected: t === current }, t.name)));
  const host = h('select', { name: 'host' }, hosts.map((x) => h('option', { value: x.name, selected: x === router }, x.name)));
  const zone = h('select', { name: 'zone' }, zones.map((z) => h('option', { value: z.name }, z.name)),
    h('option', { value: '' }, '(the reverse zone of a prefix instead)'));
  const reverse = h('select', { name: 'reverse' }, prefixes.filter((p) => !p.prefix.includes(':') || true)
    .map((p) => h('option', { value: p.prefix }, p.prefix)));
  const out = h('pre', { id: 'render-output', tabindex: '0', 'aria-label': 'Rendered file' });
  out.hidden = true;
  const status = h('p', { class: 'hint', 'aria-live': 'polite' });
  const copy = h('button', { type: 'button' }, 'Copy');
  const download = h('a', { class: 'button', download: 'netsot.txt', href: '#' }, 'Download');
  const tools = h('div', { class: 'buttons' }, copy, download);
  tools.hidden = true;
  const verdictSlot = h('div', {});
  const params = h('div', { class: 'fields' });
  const about = h('p', { class: 'hint' });
  const error = h('p', { class: 'msg err', role: 'alert' });
  error.hidden = true;
  const targetOf = () => list.find((x) => x.name === target.value);
  const showParams = () => {
    const t = targetOf();
    const pn = t.parameters.map((p) => p.name);
    about.textContent = t.description;
    params.replaceChildren(pn.includes('host') ? field('Host', host) : '',
      pn.includes('zone') ? field('Zone', zone) : '',
      pn.includes('reverse') ? field('Reverse zone of prefix', reverse, 'Used when Zone is the reverse zone.') : '');
  };
  let url = null;
  async function render() {
    error.hidden = true;
    const t = targetOf();
    const pn = t.parameters.map((p) => p.name);
    const q = new URLSearchParams();
    if (pn.includes('host')) q.set('host', host.value);
    if (pn.includes('zone') && zone.value) q.set('zone', zone.value);
    else if (pn.includes('reverse')) q.set('reverse', reverse.value);
    status.textContent = `Rendering ${t.name}…`;
    try {
      const r = await api('GET', `/render/${t.name}${q.toString() ? `?${q}` : ''}`);
      const text = typeof r.data === 'string' ? r.data : JSON.stringify(r.data, null, 1);
      out.textContent = text;
      out.hidden = false;
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      download.href = url;
      download.download = `${t.name}${q.toString() ? `-${[...q.values()].join('-').replace(/[^A-Za-z0-9.-]/g, '_')}` : ''}.txt`;
      download.textContent = `Download ${download.download}`;
      tools.hidden = false;
      const lines = text.split('\n').length;
      status.textContent = `${t.name}: ${plural(lines, 'line')}, ${plural(text.length, 'byte')}.`;
      verdictSlot.replaceChildren(verdict(t, q, download.download, report, names));
    } catch (e) {
      out.hidden = true;
      tools.hidden = true;
      status.textContent = '';
      error.textContent = describe(e);
      error.hidden = false;
    }
  }
  target.addEventListener('change', () => {
    showParams();
    render();
  });
  const form = h('form', { class: 'card form' }, field('Target', target), about, params, error,
    h('button', { type: 'submit' }, 'Render'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    render();
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
  ui.show(h('h1', {}, 'Render a config'),
    h('p', { class: 'lede' }, 'Every configuration file netsot writes from the plan: pick one to see it, '
      + 'download it, and see what checks it.'),
    h('div', { class: 'render' }, h('div', {}, form, verdictSlot),
      h('section', { class: 'preview', 'aria-labelledby': 'preview-h' }, h('h2', { id: 'preview-h' }, 'Preview'),
        status, tools, out)));
  await render();
}
