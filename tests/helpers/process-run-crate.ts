// A checker of the requirements (MUST, and the SHOULDs Foldwork promises)
// of RO-Crate 1.1 and the Process Run Crate profile 0.5
// (https://w3id.org/ro/wfrun/process/0.5), written from the specifications
// independently of src/lib/archive/ro-crate.ts. Each rule has a name; the
// checker returns the rules a crate breaks, with what it found.
//
// RO-Crate 1.1 (https://www.researchobject.org/ro-crate/1.1/):
//  R1  @context MUST be (or include) https://w3id.org/ro/crate/1.1/context
//  R2  @graph MUST be flat: every entity has @id and @type; property values
//      refer to other entities by {"@id"} only, never nest them
//  R3  the metadata descriptor (ro-crate-metadata.json) MUST be a
//      CreativeWork that is `about` the root and `conformsTo` RO-Crate 1.1
//  R4  the Root Data Entity MUST be a Dataset whose @id ends in "/", with
//      name, description, datePublished (ISO 8601) and license
//  R5  data entities (File, Dataset) MUST be reachable from the root by
//      hasPart; a Dataset's @id ends in "/"; a File's @id is a relative path
//      inside the crate (no "/" start, no ".." part)
//  R6  every local reference ({"@id": "#…"} or a relative path) names an
//      entity of the graph
// Process Run Crate 0.5:
//  P1  the root MUST conform to the profile (conformsTo its permalink), and
//      the profile is described as a CreativeWork
//  P2  the executed application MUST be an entity of type
//      SoftwareApplication (or SoftwareSourceCode / ComputationalWorkflow),
//      which SHOULD have a name and a softwareVersion (Foldwork: always)
//  P3  each execution MUST be an action (CreateAction, ActivateAction or
//      UpdateAction) referenced from the root by `mentions`
//  P4  the action MUST have `instrument` referring to the application
//  P5  the action's `object` (inputs) and `result` (outputs) MUST refer to
//      data entities or contextual entities (File, Dataset, PropertyValue)
//      of the graph; File entities carry sha256, contentSize and
//      encodingFormat (Foldwork's promise)
//  P6  startTime and endTime, where given, MUST be ISO 8601 date-times
//  P7  actionStatus, where given, MUST be a schema.org ActionStatusType;
//      a FailedActionStatus SHOULD come with `error`
//  P8  the agent SHOULD be a Person or Organization (Foldwork: always, and
//      never with an email)

type Json = Record<string, unknown>;
export interface CrateFault {
	rule: string;
	detail: string;
}

const CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
const PROFILE = 'https://w3id.org/ro/wfrun/process/0.5';
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ACTION_STATUSES = ['PotentialActionStatus', 'ActiveActionStatus', 'CompletedActionStatus', 'FailedActionStatus'].map((s) => `http://schema.org/${s}`);

const types = (e: Json | undefined): string[] => (e ? ([] as unknown[]).concat(e['@type'] ?? []).map(String) : []);
const refs = (value: unknown): string[] =>
	([] as unknown[])
		.concat(value ?? [])
		.filter((v): v is Json => !!v && typeof v === 'object' && typeof (v as Json)['@id'] === 'string')
		.map((v) => v['@id'] as string);
const isLocal = (id: string) => !/^[a-z][a-z0-9+.-]*:/i.test(id);

export function checkProcessRunCrate(crate: unknown): CrateFault[] {
	const faults: CrateFault[] = [];
	const fault = (rule: string, detail: string) => faults.push({ rule, detail });
	const doc = crate as Json;
	const context = ([] as unknown[]).concat(doc?.['@context'] ?? []);
	if (!context.includes(CONTEXT)) fault('R1', `@context is ${JSON.stringify(doc?.['@context'])}`);
	const graph = Array.isArray(doc?.['@graph']) ? (doc['@graph'] as Json[]) : [];
	if (!graph.length) fault('R2', 'no @graph');
	const byId = new Map<string, Json>();
	for (const e of graph) {
		if (typeof e['@id'] !== 'string' || !types(e).length) fault('R2', `an entity without @id or @type: ${JSON.stringify(e).slice(0, 120)}`);
		else byId.set(e['@id'], e);
		for (const [key, value] of Object.entries(e)) {
			for (const v of ([] as unknown[]).concat(value)) {
				if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).some((k) => k !== '@id')) fault('R2', `${e['@id']}.${key} nests an entity`);
			}
		}
	}
	const descriptor = byId.get('ro-crate-metadata.json');
	if (!descriptor || !types(descriptor).includes('CreativeWork')) fault('R3', 'no CreativeWork ro-crate-metadata.json');
	else if (!refs(descriptor.conformsTo).some((id) => id.startsWith('https://w3id.org/ro/crate/1.1'))) fault('R3', 'the descriptor does not conform to RO-Crate 1.1');
	const rootId = refs(descriptor?.about)[0];
	const root = rootId ? byId.get(rootId) : undefined;
	if (!root) fault('R3', 'the descriptor is not about an entity of the graph');
	else {
		if (!types(root).includes('Dataset') || !rootId.endsWith('/')) fault('R4', `the root ${rootId} is not a Dataset with an @id ending in /`);
		for (const key of ['name', 'description', 'datePublished', 'license']) if (!root[key]) fault('R4', `the root has no ${key}`);
		if (typeof root.datePublished === 'string' && !ISO_DATE_TIME.test(root.datePublished)) fault('R4', `datePublished ${root.datePublished} is not ISO 8601`);
	}
	// R5: data entities reachable by hasPart.
	const reachable = new Set<string>();
	const walk = (id: string) => {
		if (reachable.has(id)) return;
		reachable.add(id);
		for (const part of refs(byId.get(id)?.hasPart)) walk(part);
	};
	if (rootId) walk(rootId);
	for (const e of graph) {
		const id = String(e['@id']);
		const t = types(e);
		if (id === rootId || !(t.includes('File') || t.includes('Dataset'))) continue;
		if (!reachable.has(id)) fault('R5', `${id} is not reachable from the root by hasPart`);
		if (t.includes('Dataset') && isLocal(id) && !id.endsWith('/')) fault('R5', `the Dataset ${id} does not end in /`);
		if (t.includes('File') && (id.startsWith('/') || id.split('/').includes('..'))) fault('R5', `the File ${id} is not a path inside the crate`);
	}
	// R6: local references resolve.
	for (const e of graph) {
		for (const [key, value] of Object.entries(e)) {
			if (key === '@id') continue;
			for (const id of refs(value)) if (isLocal(id) && !byId.has(id)) fault('R6', `${e['@id']}.${key} refers to ${id}, which is not in the graph`);
		}
	}
	// P1
	if (root && !refs(root.conformsTo).includes(PROFILE)) fault('P1', `the root does not conform to ${PROFILE}`);
	if (!types(byId.get(PROFILE)).includes('CreativeWork')) fault('P1', 'the profile is not described as a CreativeWork');
	// P3..P8 per action.
	const actions = graph.filter((e) => types(e).some((t) => ['CreateAction', 'ActivateAction', 'UpdateAction'].includes(t)));
	if (!actions.length) fault('P3', 'no action represents a run');
	const mentioned = new Set(refs(root?.mentions));
	for (const action of actions) {
		const id = String(action['@id']);
		if (!mentioned.has(id)) fault('P3', `${id} is not mentioned by the root`);
		const instruments = refs(action.instrument);
		const apps = instruments.map((i) => byId.get(i)).filter((e) => types(e).some((t) => ['SoftwareApplication', 'SoftwareSourceCode', 'ComputationalWorkflow'].includes(t)));
		if (!instruments.length) fault('P4', `${id} has no instrument`);
		else if (!apps.length) fault('P2', `${id}'s instrument is not a SoftwareApplication of the graph`);
		for (const app of apps) if (!app!.name || !app!.softwareVersion) if (!app!.description) fault('P2', `${app!['@id']} has no name and softwareVersion (nor says why)`);
		for (const key of ['object', 'result']) {
			for (const target of refs(action[key])) {
				const entity = byId.get(target);
				const t = types(entity);
				if (!entity || !t.some((x) => ['File', 'Dataset', 'PropertyValue'].includes(x))) fault('P5', `${id}.${key} refers to ${target}, not a File, Dataset or PropertyValue of the graph`);
				else if (t.includes('File') && (!/^[0-9a-f]{64}$/.test(String(entity.sha256)) || entity.contentSize === undefined || !entity.encodingFormat)) {
					fault('P5', `${target} lacks sha256, contentSize or encodingFormat`);
				}
			}
		}
		for (const key of ['startTime', 'endTime']) {
			if (action[key] !== undefined && !ISO_DATE_TIME.test(String(action[key]))) fault('P6', `${id}.${key} ${String(action[key])} is not ISO 8601`);
		}
		const status = refs(action.actionStatus)[0] ?? (typeof action.actionStatus === 'string' ? action.actionStatus : undefined);
		if (status !== undefined && !ACTION_STATUSES.includes(status)) fault('P7', `${id}.actionStatus ${status} is not an ActionStatusType`);
		if (status?.endsWith('FailedActionStatus') && !action.error) fault('P7', `${id} failed without an error`);
		const agent = byId.get(refs(action.agent)[0] ?? '');
		if (!agent || !types(agent).some((t) => t === 'Person' || t === 'Organization')) fault('P8', `${id}'s agent is not a Person or Organization of the graph`);
		else if (JSON.stringify(agent).includes('@') && /[^\s"@]+@[^\s"@]+\.[a-z]{2,}/i.test(JSON.stringify(agent))) fault('P8', `${id}'s agent carries an email`);
	}
	return faults;
}
