// ro-crate-metadata.json for an archive of jobs: an RO-Crate 1.1 crate that
// follows the Process Run Crate profile (https://w3id.org/ro/wfrun/process/0.5):
// each tool, at the version that ran, is a SoftwareApplication (its back-end
// programs and the worker are SoftwareApplications it requires); each job is a
// CreateAction with that tool as `instrument`, its input files and settings
// (PropertyValues) as `object`, its output files as `result`, start and end
// time, `actionStatus`, and an `agent`; every file is a File entity with its
// sha256, contentSize and encodingFormat, inside the job's folder (a
// Dataset), all reachable from the root Dataset by hasPart.
//
// The agent never carries an email: for the job's team it is the submitter
// by display name (what the team sees on the job page); for someone outside
// the team it is "a member of the job's team", as get_job shows it.
import type { JobProvenance } from '#lib/jobs/provenance.ts';

export const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
export const RO_CRATE_SPEC = 'https://w3id.org/ro/crate/1.1';
export const PROCESS_RUN_CRATE = 'https://w3id.org/ro/wfrun/process/0.5';
export const METADATA_FILE = 'ro-crate-metadata.json';

type Ref = { '@id': string };
export type CrateEntity = { '@id': string; '@type': string | string[]; [property: string]: unknown };
export interface RoCrate {
	'@context': string;
	'@graph': CrateEntity[];
}

/** A file as it sits in the archive. */
export interface CrateFile {
	/** Path inside the archive (also the entity's @id). */
	path: string;
	name: string;
	sha256: string;
	contentSize: number;
	encodingFormat: string;
	description?: string;
}

export interface CrateJob {
	id: string;
	name: string;
	toolId: string;
	toolName: string;
	status: string;
	startedAt: string | null;
	finishedAt: string | null;
	errorMessage: string | null;
	provenance: JobProvenance | null;
	/** The settings it ran with (its tool's defaults filled in), and each as people read it. */
	settings: Record<string, unknown>;
	settingLabels: Record<string, string>;
	/** Null outside the team: the agent is then "a member of the job's team". */
	submitter: { id: string; name: string } | null;
	teamId: string;
	/** The job's folder in the archive, ending in "/". */
	folder: string;
	inputs: CrateFile[];
	outputs: CrateFile[];
}

export interface CrateOptions {
	name: string;
	description: string;
	datePublished: Date;
	/** The license of the crate's contents (a URL or a name); results belong to the team that ran them. */
	license?: string;
}

const ref = (id: string): Ref => ({ '@id': id });
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '') || 'x';

function actionStatus(status: string): string {
	if (status === 'completed') return 'http://schema.org/CompletedActionStatus';
	if (status === 'failed' || status === 'timeout' || status === 'cancelled') return 'http://schema.org/FailedActionStatus';
	if (status === 'processing') return 'http://schema.org/ActiveActionStatus';
	return 'http://schema.org/PotentialActionStatus';
}

/** A setting's value as schema.org's PropertyValue takes it: text, number or boolean; anything else as JSON text. */
function propertyValue(value: unknown): string | number | boolean {
	if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
	return JSON.stringify(value) ?? 'null';
}

/** Builds the crate as one flat @graph (the JSON-LD form RO-Crate requires). */
export function buildRoCrate(jobs: CrateJob[], options: CrateOptions): RoCrate {
	const entities = new Map<string, CrateEntity>();
	const add = (entity: CrateEntity) => {
		if (!entities.has(entity['@id'])) entities.set(entity['@id'], entity);
		return ref(entity['@id']);
	};
	const root: CrateEntity = {
		'@id': './',
		'@type': 'Dataset',
		name: options.name,
		description: options.description,
		datePublished: options.datePublished.toISOString(),
		license: options.license ?? 'https://creativecommons.org/licenses/by/4.0/',
		conformsTo: ref(PROCESS_RUN_CRATE),
		hasPart: [] as Ref[],
		mentions: [] as Ref[]
	};
	add({ '@id': METADATA_FILE, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE_SPEC), about: ref('./') });
	add(root);
	add({ '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' });
	const platform = add({ '@id': 'https://foldwork.dev/', '@type': 'Organization', name: 'Foldwork', url: 'https://foldwork.dev/' });

	for (const job of jobs) {
		const programs: Ref[] = [];
		let tool: Ref;
		if (job.provenance) {
			const p = job.provenance;
			for (const [name, version] of Object.entries(p.programs)) {
				programs.push(add({ '@id': `#software-${slug(name)}-${slug(version)}`, '@type': 'SoftwareApplication', name, softwareVersion: version }));
			}
			const commit = p.worker.commit ? { identifier: p.worker.commit } : {};
			programs.push(
				add({
					'@id': `#foldwork-worker-${slug(p.worker.version)}-${slug(p.worker.commit ?? 'unknown')}`,
					'@type': 'SoftwareApplication',
					name: 'Foldwork worker',
					softwareVersion: p.worker.version,
					runtimePlatform: p.worker.runtime,
					...commit
				})
			);
			const toolId = `#tool-${slug(job.toolId)}-${slug(p.tool.version)}`;
			tool = add({ '@id': toolId, '@type': 'SoftwareApplication', name: p.tool.name, identifier: job.toolId, softwareVersion: p.tool.version, publisher: platform, softwareRequirements: [] as Ref[] });
			const requirements = entities.get(toolId)!.softwareRequirements as Ref[];
			for (const program of programs) if (!requirements.some((r) => r['@id'] === program['@id'])) requirements.push(program);
		} else {
			tool = add({
				'@id': `#tool-${slug(job.toolId)}-unrecorded`,
				'@type': 'SoftwareApplication',
				name: job.toolName,
				identifier: job.toolId,
				publisher: platform,
				description: 'The version that ran these jobs was not recorded (they ran before Foldwork recorded provenance).'
			});
		}

		const team = add({ '@id': `#team-${job.teamId}`, '@type': 'Organization', name: 'The job’s team on Foldwork' });
		const agent = job.submitter
			? add({ '@id': `#person-${job.submitter.id}`, '@type': 'Person', name: job.submitter.name, memberOf: team })
			: team;

		const fileRefs = (files: CrateFile[]) =>
			files.map((f) =>
				add({
					'@id': f.path,
					'@type': 'File',
					name: f.name,
					sha256: f.sha256,
					contentSize: String(f.contentSize),
					encodingFormat: f.encodingFormat,
					...(f.description ? { description: f.description } : {})
				})
			);
		const inputs = fileRefs(job.inputs);
		const outputs = fileRefs(job.outputs);
		const settings = Object.entries(job.settings).map(([key, value]) =>
			add({
				'@id': `#job-${job.id}-setting-${slug(key)}`,
				'@type': 'PropertyValue',
				name: key,
				value: propertyValue(value),
				...(job.settingLabels[key] ? { description: job.settingLabels[key] } : {})
			})
		);
		const folder = add({ '@id': job.folder, '@type': 'Dataset', name: job.name, description: `Inputs, outputs and results of the Foldwork job ${job.id}`, hasPart: [...inputs, ...outputs] });
		(root.hasPart as Ref[]).push(folder);

		const action: CrateEntity = {
			'@id': `#job-${job.id}`,
			'@type': 'CreateAction',
			name: `${job.toolName}: ${job.name}`,
			identifier: job.id,
			instrument: tool,
			agent,
			object: [...inputs, ...settings],
			result: outputs,
			actionStatus: ref(actionStatus(job.status))
		};
		if (job.startedAt) action.startTime = job.startedAt;
		if (job.finishedAt) action.endTime = job.finishedAt;
		if (job.errorMessage && job.status !== 'completed') action.error = job.errorMessage;
		(root.mentions as Ref[]).push(add(action));
	}
	return { '@context': RO_CRATE_CONTEXT, '@graph': [...entities.values()] };
}
