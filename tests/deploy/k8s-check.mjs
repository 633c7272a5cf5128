// Schema check of Kubernetes manifests, offline: node k8s-check.mjs FILE...
// Every document of every file must be an object kubernetes-models knows (apiVersion and
// kind), valid against its schema (types, required fields, enums), and carry no field the
// schema does not have: the schemas allow unknown fields, and Kubernetes drops them with a
// warning at most, so a typo such as `runAsNonRot: true` would silently lose a protection.
// Parsed as YAML 1.1, as Kubernetes reads it (0400 is octal, `on` a boolean).
// Exits 1 naming each problem, 0 when every object is valid.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// The probe put in place of one field's value: no schema type accepts a symbol, so a field
// the schema knows fails there, and a field it does not know passes.
const PROBE = Symbol("probe");

function pointer(path) {
	return path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1"))
	    .join("");
}

// The errors of validating data as cls: [] when valid.
function errors(cls, data) {
	try {
		new cls(data).validate();
		return [];
	} catch (e) {
		if (Array.isArray(e.errors))
			return e.errors;
		// The validator choked on the probe itself: it did look at the field.
		return [{ instancePath: "*", message: e.message }];
	}
}

// Paths of the fields under value that cls's schema does not know.
function unknownFields(cls, root, value, path, out) {
	if (Array.isArray(value)) {
		value.forEach((v, i) => unknownFields(cls, root, v, [...path, i], out));
		return;
	}
	if (value === null || typeof value !== "object")
		return;
	for (const key of Object.keys(value)) {
		const at = [...path, key];
		const probe = structuredClone(root);
		let parent = probe;
		for (const p of path)
			parent = parent[p];
		parent[key] = PROBE;
		const where = pointer(at);
		const seen = errors(cls, probe).some((e) => e.instancePath === "*" ||
		    e.instancePath === where || e.instancePath.startsWith(where + "/"));
		if (!seen)
			out.push(where);
		else
			unknownFields(cls, root, value[key], at, out);
	}
}

async function model(apiVersion, kind) {
	if (typeof apiVersion !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion))
		return null;
	try {
		const mod = await import(`kubernetes-models/${apiVersion}`);
		return typeof mod[kind] === "function" ? mod[kind] : null;
	} catch {
		return null;
	}
}

async function checkFile(file) {
	const problems = [];
	let objects = 0;
	const docs = parseAllDocuments(readFileSync(file, "utf8"), { version: "1.1" });
	for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
		const where = `${file}: document ${i + 1}`;
		for (const e of [...doc.errors, ...doc.warnings])
			problems.push(`${where}: ${e.message}`);
		if (doc.errors.length > 0)
			continue;
		const obj = doc.toJS({ maxAliasCount: 100 });
		if (obj === null || obj === undefined)
			continue;
		const name = `${where} (${obj.kind}/${obj.metadata?.name})`;
		const cls = await model(obj.apiVersion, obj.kind);
		if (cls === null) {
			problems.push(`${name}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
			continue;
		}
		objects++;
		for (const e of errors(cls, obj))
			problems.push(`${name}: ${e.instancePath || "/"} ${e.message}`);
		const unknown = [];
		unknownFields(cls, obj, obj, [], unknown);
		for (const u of unknown)
			problems.push(`${name}: ${u} is not a field of ${obj.apiVersion} ${obj.kind}`);
	}
	if (objects === 0)
		problems.push(`${file}: no Kubernetes object`);
	return { objects, problems };
}

const files = process.argv.slice(2);
if (files.length === 0) {
	console.error("usage: node k8s-check.mjs FILE...");
	process.exit(2);
}
let failed = false;
for (const file of files) {
	const { objects, problems } = await checkFile(file);
	for (const p of problems)
		console.error(p);
	failed ||= problems.length > 0;
	console.log(`${file}: ${objects} objects, ${problems.length} problems`);
}
process.exit(failed ? 1 : 0);
