// The other objects of the plan: hosts, the router's port map, the firewall policy (a VLAN by
// VLAN matrix, then the rules in order), DNS zones with their records, and the audit log.
import { all, api, get } from './api.js';
import { h, plural, table, when } from './dom.js';
import { ui } from './app.js';
import { errField, openIn, twoStep } from './preview.js';

const byId = (list) => new Map(list.map((x) => [x.id, x]));

export async function hostsView() {
  const hosts = await all('/hosts?ordering=name');
  ui.show(h('h1', {}, 'Hosts'), table(null, ['Name', 'Kind', 'Groups', 'Description'],
    hosts.map((x) => [h('a', { href: `#/host/${x.id}` }, x.name), x.kind, x.groups.join(', '),
      x.description]), { stack: true }));
}

export async function hostView(id) {
  const [x, addrs, ports, services, vlans] = await Promise.all([get(`/hosts/${id}`),
    all(`/ip-addresses?host_id=${id}`), all(`/ports?host_id=${id}`), all(`/services?host_id=${id}`),
    all('/vlans')]);
  const vl = byId(vlans);
  const none = (what) => h('p', { class: 'hint empty' }, `No ${what}.`);
  ui.show(h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumbs' }, h('a', { href: '#/hosts' }, 'Hosts')),
    h('h1', {}, x.name), h('p', {}, `${x.kind} · ${x.description}`),
    h('section', {}, h('h2', {}, 'Addresses'), addrs.length ? table(null, ['Address', 'Interface', 'DNS name', 'Status'],
      addrs.map((a) => [h('a', { href: `#/prefix/${a.prefix_id}`, class: 'mono' }, a.address), a.interface,
        a.dns_name, a.status]), { stack: true }) : none('addresses')),
    h('section', {}, h('h2', {}, 'Ports'), ports.length ? portTable(ports, vl) : none('ports')),
    h('section', {}, h('h2', {}, 'Services'), services.length ? table(null, ['Name', 'Protocol', 'Ports', 'Description'],
      services.map((s) => [s.name, s.protocol, s.ports, s.description]), { stack: true }) : none('services')));
}

function portTable(ports, vl) {
  const vid = (id) => (vl.get(id) ? `${vl.get(id).vid} ${vl.get(id).name}` : '');
  return table(null, ['Port', 'NIC', 'Speed', 'Mode', 'Untagged VLAN', 'Tagged VLANs', 'Bridge',
    'Connected to'], ports.map((p) => [p.name, p.nic, p.speed_mbps ? `${p.speed_mbps} Mb/s` : '',
    p.mode, vid(p.untagged_vlan_id), p.tagged_vlan_ids.map(vid).join(', '), p.bridge,
    p.connected_to || p.description]), { stack: true });
}

// The router's ports: which carries which VLAN.
export async function portsView() {
  const [routers, vlans] = await Promise.all([all('/hosts?kind=router'), all('/vlans')]);
  const vl = byId(vlans);
  const sections = await Promise.all(routers.map(async (r) => h('section', {},
    h('h2', {}, h('a', { href: `#/host/${r.id}` }, r.name)),
    portTable(await all(`/ports?host_id=${r.id}`), vl))));
  ui.show(h('h1', {}, 'Port map'), sections.length ? sections : h('p', {}, 'No router in the plan.'));
}

// "tcp 22,443", "udp any", "icmp".
const entry = (e) => (e.protocol === 'icmp' || !e.ports ? e.protocol : `${e.protocol} ${e.ports}`);
const zoneName = (z) => (z.vid !== null && z.vid !== undefined ? `${z.vid} ${z.name}` : z.name);

// One cell of the matrix: what from may open in to.
function policyCell(c, from, to) {
  const what = `From ${zoneName(from)} to ${zoneName(to)}`;
  if (!c) return h('td', { class: 'pm self', 'data-label': zoneName(to) }, h('span', { 'aria-hidden': 'true' }, '—'), h('span', { class: 'sr' }, `${what}: same zone`));
  const rules = c.rules.length ? h('span', { class: 'rules' }, c.rules.join(', ')) : null;
  const some = c.some.length ? h('span', { class: 'some' }, 'some hosts: ', c.some.map((e) => `${entry(e)} (${e.rule})`).join('; ')) : null;
  const except = c.except.length ? h('span', { class: 'except' }, 'except: ', c.except.map((e) => `${entry(e)} (${e.rule})`).join('; ')) : null;
  let main;
  let cls;
  if (c.all) {
    main = h('span', { class: 'verdict' }, '✓ all traffic');
    cls = 'allow all';
  } else if (c.allow.length) {
    main = h('span', { class: 'verdict' }, '✓ ', c.allow.map(entry).join(', '));
    cls = 'allow';
  } else {
    main = h('span', { class: 'verdict' }, '✕ denied');
    cls = some ? 'deny partial' : 'deny';
  }
  return h('td', { class: `pm ${cls}`, 'data-from': c.from, 'data-to': c.to, 'data-label': zoneName(to) },
    h('span', { class: 'sr' }, `${what}: `), main, some, except, rules);
}

export async function rulesView() {
  const [matrix, rules, vlans, prefixes, hosts] = await Promise.all([get('/policy/matrix'),
    all('/firewall-rules?ordering=scope,priority'), all('/vlans'), all('/prefixes'), all('/hosts')]);
  const vl = byId(vlans);
  const px = byId(prefixes);
  const hs = byId(hosts);
  const write = ui.canWrite();
  const slot = h('div', { id: 'rule-form-slot' });
  const side = (r, s) => (r[`${s}_vlan_id`] ? `VLAN ${vl.get(r[`${s}_vlan_id`]).vid} ${vl.get(r[`${s}_vlan_id`]).name}`
    : r[`${s}_prefix_id`] ? px.get(r[`${s}_prefix_id`]).prefix
      : r[`${s}_host_id`] ? hs.get(r[`${s}_host_id`]).name : r[`${s}_cidr`] || 'any');
  const cells = new Map(matrix.cells.map((c) => [`${c.from}>${c.to}`, c]));
  const zones = matrix.zones;
  const grid = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': 'Policy matrix' },
    h('table', { class: 'matrix', id: 'policy-matrix' },
      h('caption', {}, `What each zone may open in another (rows: from, columns: to). Anything not allowed is `
        + `${matrix.default_action === 'accept' ? 'accepted' : 'dropped'} by the default policy (${matrix.default_action}).`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'sr' }, 'From'), h('span', { 'aria-hidden': 'true' }, 'from ↓ to →')),
        zones.map((z) => h('th', { scope: 'col' }, zoneName(z))))),
      h('tbody', {}, zones.map((f) => h('tr', {}, h('th', { scope: 'row' }, zoneName(f),
        f.prefixes.length ? h('span', { class: 'hint block' }, f.prefixes.join(', ')) : null),
      zones.map((t) => policyCell(cells.get(`${f.key}>${t.key}`), f, t)))))));
  ui.show(h('h1', {}, 'Firewall'),
    h('section', { 'aria-labelledby': 'matrix-h' }, h('h2', { id: 'matrix-h' }, 'Policy between VLANs'),
      h('ul', { class: 'legend' }, h('li', {}, h('span', { class: 'swatch pm allow all', 'aria-hidden': 'true' }), 'all traffic allowed'),
        h('li', {}, h('span', { class: 'swatch pm allow', 'aria-hidden': 'true' }), 'some ports allowed'),
        h('li', {}, h('span', { class: 'swatch pm deny', 'aria-hidden': 'true' }), 'denied')),
      grid),
    h('section', { 'aria-labelledby': 'rules-h' }, h('h2', { id: 'rules-h' }, 'Rules'),
      h('p', { class: 'hint' }, 'In the order they apply: forward rules (between zones), then input rules (to a host).'),
      write ? h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'add-rule',
        onclick: () => ruleForm(slot, { vlans, prefixes, hosts }) }, 'Add a rule')) : null,
      slot,
      table(null, ['Name', 'Scope', 'Priority', 'Action', 'Protocol', 'Ports', 'From', 'To', 'Enabled',
        'Description', write ? 'Actions' : null].filter(Boolean), rules.map((r) => [r.name, r.scope, String(r.priority), r.action, r.protocol,
        r.dst_ports || 'any', side(r, 'src'), side(r, 'dst'), r.enabled ? 'yes' : 'no', r.description,
        write ? h('button', { type: 'button', class: 'small', 'aria-label': `Edit rule ${r.name}`,
          onclick: () => ruleForm(slot, { vlans, prefixes, hosts }, r.id) }, 'Edit') : null].filter((c) => c !== null)),
      { stack: true })));
}

const SIDES = [['vlan', 'VLAN'], ['prefix', 'Prefix'], ['host', 'Host'], ['cidr', 'CIDR']];

// Add a firewall rule, or edit one (id): preview what it renders, then save.
async function ruleForm(slot, { vlans, prefixes, hosts }, id, notice) {
  let r = {};
  let etag = null;
  if (id) {
    const got = await api('GET', `/firewall-rules/${id}`);
    r = got.data;
    etag = got.etag;
  }
  const opt = (v, text, sel) => h('option', { value: String(v), selected: sel }, text);
  const sel = (name, values, cur) => h('select', { name }, values.map(([v, t]) => opt(v, t, String(cur) === String(v))));
  const name = h('input', { name: 'name', value: r.name || '', autocomplete: 'off', maxlength: '64' });
  const desc = h('input', { name: 'description', value: r.description || '', autocomplete: 'off' });
  const scope = sel('scope', [['forward', 'forward (between zones)'], ['input', 'input (to a host)']], r.scope || 'forward');
  const priority = h('input', { name: 'priority', type: 'number', min: '0', max: '65535', value: String(r.priority ?? 100) });
  const action = sel('action', ['accept', 'drop', 'reject'].map((a) => [a, a]), r.action || 'accept');
  const protocol = sel('protocol', ['any', 'tcp', 'udp', 'icmp'].map((a) => [a, a]), r.protocol || 'tcp');
  const ports = h('input', { name: 'dst_ports', value: r.dst_ports || '', autocomplete: 'off', placeholder: '22,443 or 8000-8100' });
  const log = h('input', { name: 'log', type: 'checkbox', checked: !!r.log });
  const enabled = h('input', { name: 'enabled', type: 'checkbox', checked: id ? !!r.enabled : true });
  const controls = { name, description: desc, scope, priority, action, protocol, dst_ports: ports, log, enabled };
  const sideFields = (s, title) => {
    const kindNow = SIDES.find(([k]) => r[`${s}_${k}_id`] || (k === 'cidr' && r[`${s}_cidr`]));
    const kind = sel(`${s}_kind`, [['any', 'any'], ...SIDES.map(([k, t]) => [k, t])], kindNow ? kindNow[0] : 'any');
    const pick = {
      vlan: sel(`${s}_vlan_id`, vlans.map((v) => [v.id, `${v.vid} ${v.name}`]), r[`${s}_vlan_id`]),
      prefix: sel(`${s}_prefix_id`, prefixes.map((p) => [p.id, p.prefix]), r[`${s}_prefix_id`]),
      host: sel(`${s}_host_id`, hosts.slice().sort((a, b) => a.name.localeCompare(b.name)).map((x) => [x.id, x.name]), r[`${s}_host_id`]),
      cidr: h('input', { name: `${s}_cidr`, value: r[`${s}_cidr`] || '', autocomplete: 'off', placeholder: '203.0.113.0/24' }),
    };
    controls[`${s}_kind`] = kind;
    for (const [k] of SIDES) controls[k === 'cidr' ? `${s}_cidr` : `${s}_${k}_id`] = pick[k];
    const boxes = Object.fromEntries(SIDES.map(([k, t]) => [k, errField(`${title} ${k === 'vlan' || k === 'cidr' ? t : t.toLowerCase()}`, pick[k])]));
    const show = () => { for (const [k] of SIDES) boxes[k].hidden = kind.value !== k; };
    kind.addEventListener('change', show);
    show();
    return { fields: [errField(title, kind, 'Any, or one VLAN, prefix, host or address block.'), ...Object.values(boxes)],
      value: () => Object.fromEntries(SIDES.map(([k]) => {
        const key = k === 'cidr' ? `${s}_cidr` : `${s}_${k}_id`;
        if (kind.value !== k) return [key, null];
        return [key, k === 'cidr' ? pick.cidr.value.trim() : Number(pick[k].value)];
      })) };
  };
  const src = sideFields('src', 'Source');
  const dst = sideFields('dst', 'Destination');
  const collect = () => ({ name: name.value.trim(), description: desc.value, scope: scope.value,
    priority: Number(priority.value || 0), action: action.value, protocol: protocol.value,
    dst_ports: ports.value.trim(), log: log.checked, enabled: enabled.checked, ...src.value(), ...dst.value() });
  const form = h('form', { class: 'card form wide', id: 'rule-form', 'aria-labelledby': 'rule-form-h', novalidate: true });
  const steps = twoStep({ form, controls, collect, resource: 'firewall-rules', objectId: id, etag,
    what: id ? `rule ${r.name}` : 'this rule',
    onSaved: async (saved) => {
      await rulesView();
      ui.flash(`${id ? 'Saved' : 'Added'} rule ${saved.name}.`);
    },
    onStale: () => ruleForm(slot, { vlans, prefixes, hosts }, id, 'Someone changed this rule since you opened it. '
      + 'The form now shows the current values: check them, preview and save again.') });
  form.append(h('h3', { id: 'rule-form-h' }, id ? `Edit rule ${r.name}` : 'Add a firewall rule'),
    notice ? h('p', { class: 'msg warn', role: 'alert' }, notice) : '',
    h('div', { class: 'fields' },
      errField('Name', name, 'Letters, digits, - _ and .; left empty: rule-<id>.'),
      errField('Scope', scope), errField('Priority', priority, 'Lower applies first (0–65535).'),
      errField('Action', action), errField('Protocol', protocol),
      errField('Destination ports', ports, 'tcp or udp only; empty for any.'),
      errField('Description', desc)),
    h('fieldset', {}, h('legend', {}, 'From'), h('div', { class: 'fields' }, src.fields)),
    h('fieldset', {}, h('legend', {}, 'To'), h('div', { class: 'fields' }, dst.fields)),
    h('div', { class: 'fields' }, errField('Log matches', log, null, { check: true }),
      errField('Enabled', enabled, null, { check: true })),
    steps.alert, steps.buttons, steps.status, steps.panel);
  openIn(slot, form);
}

// Every zone with its records, stored and derived; #/dns/ID jumps to one. An editor adds a
// record to a zone and edits stored ones, with a preview of what the change renders.
export async function dnsView(zoneId) {
  const zones = await all('/dns-zones?ordering=name');
  const records = await Promise.all(zones.map((z) => all(`/dns-zones/${z.id}/records`).catch(() => [])));
  const recs = (i) => records[i].slice().sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }) || a.type.localeCompare(b.type));
  const write = ui.canWrite();
  ui.show(h('h1', {}, 'DNS zones'),
    h('p', { class: 'lede' }, `${plural(zones.length, 'zone')}. Stored records are written by hand; derived ones `
      + 'come from addresses with a DNS name (A/AAAA, and PTR in reverse zones).'),
    table(null, ['Zone', 'Serial', 'Name server', 'Records', 'Description'], zones.map((z, i) => [
      h('a', { href: `#/dns/${z.id}` }, z.name), String(z.serial), z.soa_mname,
      `${records[i].length} (${records[i].filter((r) => r.source === 'derived').length} derived)`, z.description]),
    { stack: true }),
    zones.map((z, i) => {
      const slot = h('div', { class: 'form-slot', id: `record-form-slot-${z.id}` });
      return h('section', { id: `zone-${z.id}`, class: 'zone', tabindex: '-1', 'aria-labelledby': `zone-h-${z.id}` },
        h('h2', { id: `zone-h-${z.id}` }, `Zone ${z.name}`),
        h('p', { class: 'hint' }, `Serial ${z.serial} · SOA ${z.soa_mname} ${z.soa_rname}`
          + `${z.default_ttl ? ` · TTL ${z.default_ttl}` : ''}`),
        write ? h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'add-record',
          'aria-label': `Add a record to ${z.name}`, onclick: () => recordForm(slot, zones, z) }, 'Add a record')) : null,
        slot,
        records[i].length ? table(null, ['Name', 'Type', 'Value', 'TTL', 'Source', write ? 'Actions' : null].filter(Boolean),
          recs(i).map((r) => {
            // A stored record's Edit button is described by the record's name and type (not
            // named by them, so the cells' names stay the record's own).
            const mine = write && r.source === 'stored' && r.id;
            return [mine ? h('span', { id: `rec-${r.id}-n` }, r.name) : r.name,
              mine ? h('span', { id: `rec-${r.id}-t` }, r.type) : r.type, h('span', { class: 'mono' }, r.value),
              r.ttl === null || r.ttl === undefined ? 'default' : String(r.ttl), r.source,
              write ? (mine ? h('button', { type: 'button', class: 'small edit-record', 'data-record': String(r.id),
                'aria-describedby': `rec-${r.id}-n rec-${r.id}-t`, onclick: () => recordForm(slot, zones, z, r.id) }, 'Edit') : '')
                : null].filter((c) => c !== null);
          }), { stack: true })
          : h('p', { class: 'hint empty' }, 'No records yet.'));
    }));
  if (zoneId) {
    const sec = document.getElementById(`zone-${zoneId}`);
    if (sec) {
      sec.scrollIntoView();
      sec.focus({ preventScroll: true });
    }
  }
}

const RTYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR'];

// Add a record to zone z, or edit the stored record id: preview the zone files, then save.
async function recordForm(slot, zones, z, id, notice) {
  let r = { zone_id: z.id, type: 'A' };
  let etag = null;
  if (id) {
    const got = await api('GET', `/dns-records/${id}`);
    r = got.data;
    etag = got.etag;
  }
  const zone = h('select', { name: 'zone_id' }, zones.map((x) => h('option', { value: String(x.id), selected: x.id === r.zone_id }, x.name)));
  const name = h('input', { name: 'name', value: r.name || '', autocomplete: 'off', placeholder: 'www, @ for the apex' });
  const type = h('select', { name: 'type' }, RTYPES.map((t) => h('option', { value: t, selected: t === r.type }, t)));
  const value = h('input', { name: 'value', value: r.value || '', autocomplete: 'off' });
  const ttl = h('input', { name: 'ttl', type: 'number', min: '0', value: r.ttl === null || r.ttl === undefined ? '' : String(r.ttl),
    placeholder: 'the zone default' });
  const desc = h('input', { name: 'description', value: r.description || '', autocomplete: 'off' });
  const controls = { zone_id: zone, name, type, value, ttl, description: desc };
  const collect = () => ({ zone_id: Number(zone.value), name: name.value.trim(), type: type.value, value: value.value.trim(),
    ttl: ttl.value.trim() === '' ? null : Number(ttl.value), description: desc.value });
  const label = id ? `${r.name} ${r.type}` : '';
  const form = h('form', { class: 'card form', id: 'record-form', 'aria-labelledby': 'record-form-h', novalidate: true });
  const steps = twoStep({ form, controls, collect, resource: 'dns-records', objectId: id, etag,
    what: id ? `record ${label}` : 'this record',
    onSaved: async (saved) => {
      await dnsView(String(saved.zone_id));
      ui.flash(`${id ? 'Saved' : 'Added'} record ${saved.name} ${saved.type}.`);
    },
    onStale: () => recordForm(slot, zones, z, id, 'Someone changed this record since you opened it. '
      + 'The form now shows the current values: check them, preview and save again.') });
  form.append(h('h3', { id: 'record-form-h' }, id ? `Edit record ${label} in ${z.name}` : `Add a record to ${z.name}`),
    notice ? h('p', { class: 'msg warn', role: 'alert' }, notice) : '',
    h('div', { class: 'fields' },
      errField('Zone', zone), errField('Name', name, 'Relative to the zone; @ for the apex.'),
      errField('Type', type), errField('Value', value, 'A/AAAA: an address; MX: "PREF HOST"; SRV: "PRIO WEIGHT PORT HOST".'),
      errField('TTL', ttl, 'Seconds; empty for the zone default.'), errField('Description', desc)),
    steps.alert, steps.buttons, steps.status, steps.panel);
  openIn(slot, form);
}

// The name of an audited object, from its own fields.
export function objectName(type, o, names) {
  if (!o) return '';
  if (type === 'vlan') return `${o.vid} ${o.name}`;
  if (type === 'prefix') return o.prefix;
  if (type === 'ip-address') return o.address;
  if (type === 'ip-range') return `${o.start_address}–${o.end_address}`;
  if (type === 'dns-record') return `${o.name} ${o.type} ${o.value}${names && names.zone(o.zone_id) ? ` (${names.zone(o.zone_id)})` : ''}`;
  if (type === 'port' || type === 'service') return `${names && names.host(o.host_id) ? `${names.host(o.host_id)} ` : ''}${o.name}`;
  if (type === 'user') return o.username;
  if (type === 'settings') return 'settings';
  return o.name || o.username || o.address || o.prefix || '';
}

const HIDDEN = new Set(['id', 'created_at', 'updated_at', 'utilization']);
const show = (v) => (v === null || v === undefined ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v));

// The fields a change set, changed or removed, each with an id shown as the name it stands for.
function diff(c, names) {
  const b = c.before || {};
  const a = c.after || {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN.has(k));
  const resolve = (k, v) => {
    if (v === null || v === undefined) return show(v);
    const ref = names.ref(k, v);
    return ref ? `${ref}` : show(v);
  };
  const rows = [];
  for (const k of keys) {
    const x = JSON.stringify(b[k]);
    const y = JSON.stringify(a[k]);
    if (c.action === 'update' && x === y) continue;
    if (c.action === 'create' && (a[k] === null || a[k] === '' || (Array.isArray(a[k]) && !a[k].length))) continue;
    if (c.action === 'delete' && (b[k] === null || b[k] === '' || (Array.isArray(b[k]) && !b[k].length))) continue;
    rows.push(h('li', {}, h('span', { class: 'key' }, k), ': ',
      c.action !== 'create' ? h('del', {}, resolve(k, b[k])) : null,
      c.action === 'update' ? ' → ' : null,
      c.action !== 'delete' ? h('ins', {}, resolve(k, a[k])) : null));
  }
  return rows.length ? h('ul', { class: 'diff' }, rows) : h('span', { class: 'hint' }, 'no visible change');
}

const LINK = { prefix: (id) => `#/prefix/${id}`, host: (id) => `#/host/${id}`, 'dns-zone': (id) => `#/dns/${id}`,
  'firewall-rule': () => '#/rules', port: () => '#/ports', vlan: () => '#/', 'ip-address': null };

export async function changesView(offset = '0') {
  const [page, hosts, vlans, prefixes, zones] = await Promise.all([
    get(`/changes?ordering=-id&limit=50&offset=${Number(offset)}`), all('/hosts'), all('/vlans'),
    all('/prefixes'), all('/dns-zones')]);
  const hs = byId(hosts);
  const vl = byId(vlans);
  const px = byId(prefixes);
  const zs = byId(zones);
  const names = {
    host: (id) => (hs.get(id) || {}).name,
    zone: (id) => (zs.get(id) || {}).name,
    ref(k, v) {
      if (k === 'host_id') return hs.get(v) && hs.get(v).name;
      if (k === 'vlan_id' || k === 'untagged_vlan_id' || k.endsWith('_vlan_id')) return vl.get(v) && `VLAN ${vl.get(v).vid} ${vl.get(v).name}`;
      if (k === 'prefix_id' || k === 'parent_id' || k.endsWith('_prefix_id')) return px.get(v) && px.get(v).prefix;
      if (k.endsWith('_host_id')) return hs.get(v) && hs.get(v).name;
      if (k === 'zone_id') return zs.get(v) && zs.get(v).name;
      if (k === 'tagged_vlan_ids' && Array.isArray(v)) return v.map((id) => (vl.get(id) ? vl.get(id).vid : id)).join(', ');
      return null;
    },
  };
  const next = Number(offset) + 50;
  const rows = page.results.map((c) => {
    const o = c.after || c.before;
    const name = objectName(c.object_type, o, names) || `#${c.object_id}`;
    const link = LINK[c.object_type] && c.action !== 'delete' ? LINK[c.object_type](c.object_id) : null;
    return [when(c.time), c.username, h('span', { class: `act ${c.action}` }, c.action),
      h('span', {}, h('span', { class: 'hint' }, `${c.object_type} `), link ? h('a', { href: link }, name) : h('b', {}, name)),
      diff(c, names), h('span', { class: 'mono small' }, c.request_id)];
  });
  ui.show(h('h1', {}, 'Audit log'),
    h('p', { class: 'lede' }, `${plural(page.count, 'change')}, newest first: who changed what and when, with `
      + 'what each change set or removed.'),
    table(null, ['When', 'Who', 'Action', 'Object', 'Change', 'Request'], rows, { stack: true }),
    h('p', { class: 'buttons' },
      Number(offset) > 0 ? h('a', { href: `#/changes/${Math.max(0, Number(offset) - 50)}` }, 'Newer') : '',
      page.next ? h('a', { href: `#/changes/${next}` }, 'Older') : ''));
}
