// The other objects of the plan: hosts, the router's port map, firewall rules in order, DNS
// zones and the audit log.
import { all, get } from './api.js';
import { h, table } from './dom.js';
import { ui } from './app.js';

const byId = (list) => new Map(list.map((x) => [x.id, x]));

export async function hostsView() {
  const hosts = await all('/hosts?ordering=name');
  ui.show(h('h1', {}, 'Hosts'), table(null, ['Name', 'Kind', 'Groups', 'Description'],
    hosts.map((x) => [h('a', { href: `#/host/${x.id}` }, x.name), x.kind, x.groups.join(', '),
      x.description])));
}

export async function hostView(id) {
  const [x, addrs, ports, services, vlans] = await Promise.all([get(`/hosts/${id}`),
    all(`/ip-addresses?host_id=${id}`), all(`/ports?host_id=${id}`), all(`/services?host_id=${id}`),
    all('/vlans')]);
  const vl = byId(vlans);
  ui.show(h('p', { class: 'crumbs' }, h('a', { href: '#/hosts' }, 'Hosts')),
    h('h1', {}, x.name), h('p', {}, `${x.kind} · ${x.description}`),
    h('section', {}, h('h2', {}, 'Addresses'), table(null, ['Address', 'Interface', 'DNS name', 'Status'],
      addrs.map((a) => [h('a', { href: `#/prefix/${a.prefix_id}` }, a.address), a.interface,
        a.dns_name, a.status]))),
    h('section', {}, h('h2', {}, 'Ports'), portTable(ports, vl)),
    h('section', {}, h('h2', {}, 'Services'), table(null, ['Name', 'Protocol', 'Ports', 'Description'],
      services.map((s) => [s.name, s.protocol, s.ports, s.description]))));
}

function portTable(ports, vl) {
  const vid = (id) => (vl.get(id) ? `${vl.get(id).vid} ${vl.get(id).name}` : '');
  return table(null, ['Port', 'NIC', 'Speed', 'Mode', 'Untagged VLAN', 'Tagged VLANs', 'Bridge',
    'Connected to'], ports.map((p) => [p.name, p.nic, p.speed_mbps ? `${p.speed_mbps} Mb/s` : '',
    p.mode, vid(p.untagged_vlan_id), p.tagged_vlan_ids.map(vid).join(', '), p.bridge,
    p.connected_to || p.description]));
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

export async function rulesView() {
  const [rules, vlans, prefixes, hosts] = await Promise.all([
    all('/firewall-rules?ordering=scope,priority'), all('/vlans'), all('/prefixes'), all('/hosts')]);
  const vl = byId(vlans);
  const px = byId(prefixes);
  const hs = byId(hosts);
  const side = (r, s) => (r[`${s}_vlan_id`] ? `VLAN ${vl.get(r[`${s}_vlan_id`]).vid}`
    : r[`${s}_prefix_id`] ? px.get(r[`${s}_prefix_id`]).prefix
      : r[`${s}_host_id`] ? hs.get(r[`${s}_host_id`]).name : r[`${s}_cidr`] || 'any');
  ui.show(h('h1', {}, 'Firewall rules'), h('p', { class: 'hint' }, 'In the order they apply.'),
    table(null, ['Name', 'Scope', 'Priority', 'Action', 'Protocol', 'Ports', 'From', 'To', 'Enabled',
      'Description'], rules.map((r) => [r.name, r.scope, String(r.priority), r.action, r.protocol,
      r.dst_ports, side(r, 'src'), side(r, 'dst'), r.enabled ? 'yes' : 'no', r.description])));
}

export async function dnsView(zoneId) {
  const zones = await all('/dns-zones?ordering=name');
  const nodes = [h('h1', {}, 'DNS zones'), h('ul', {}, zones.map((z) => h('li', {},
    h('a', { href: `#/dns/${z.id}` }, z.name), ` serial ${z.serial}`)))];
  if (zoneId) {
    const z = zones.find((x) => String(x.id) === zoneId);
    const recs = (await get(`/dns-zones/${zoneId}/records`)).results;
    nodes.push(h('section', {}, h('h2', {}, `Records of ${z ? z.name : zoneId}`),
      table(null, ['Name', 'Type', 'Value', 'TTL', 'Source'],
        recs.map((r) => [r.name, r.type, r.value, r.ttl === null ? '' : String(r.ttl), r.source]))));
  }
  ui.show(...nodes);
}

export async function changesView(offset = '0') {
  const page = await get(`/changes?ordering=-id&limit=50&offset=${Number(offset)}`);
  const next = Number(offset) + 50;
  ui.show(h('h1', {}, 'Audit log'), table(null, ['Time', 'User', 'Action', 'Object', 'Request'],
    page.results.map((c) => [c.time, c.username, c.action, `${c.object_type} ${c.object_id}`,
      c.request_id])),
  h('p', { class: 'buttons' },
    Number(offset) > 0 ? h('a', { href: `#/changes/${Math.max(0, Number(offset) - 50)}` }, 'Newer') : '',
    page.next ? h('a', { href: `#/changes/${next}` }, 'Older') : ''));
}
