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
const PLATFORM = 'https://foldwork.dev/';
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

/**
 * Builds a crate one job at a time, so an archive of many jobs need not hold
 * them: addJob returns that job's own entities (its action, files, settings
 * and folder), to be written out at once; the entities jobs share (tools,
 * programs, people, the team) and the root, which lists every job, stay
 * until finish() returns them. Together they are the crate's flat @graph
 * (the JSON-LD form RO-Crate requires), in any order.
 */
export class RoCrateBuilder {
	#options: CrateOptions;
	#shared = new Map<string, CrateEntity>();
	#folders: Ref[] = [];
	#actions: Ref[] = [];

	constructor(options: CrateOptions) {
		this.#options = options;
		this.#share({ '@id': PROCESS_RUN_CRATE, '@type': 'CreativeWork', name: 'Process Run Crate', version: '0.5' });
		this.#share({ '@id': PLATFORM, '@type': 'Organization', name: 'Foldwork', url: PLATFORM });
	}

	#share(entity: CrateEntity): Ref {
		if (!this.#shared.has(entity['@id'])) this.#shared.set(entity['@id'], entity);
		return ref(entity['@id']);
	}

	/** The tool that ran the job, at its recorded version, requiring its programs and the worker. */
	#tool(job: CrateJob): Ref {
		const p = job.provenance;
		if (!p) {
			return this.#share({
				'@id': `#tool-${slug(job.toolId)}-unrecorded`,
				'@type': 'SoftwareApplication',
				name: job.toolName,
				identifier: job.toolId,
				publisher: ref(PLATFORM),
				description: 'The version that ran these jobs was not recorded (they ran before Foldwork recorded provenance).'
			});
		}
		const programs = Object.entries(p.programs).map(([name, version]) =>
			this.#share({ '@id': `#software-${slug(name)}-${slug(version)}`, '@type': 'SoftwareApplication', name, softwareVersion: version })
		);
		programs.push(
			this.#share({
				'@id': `#foldwork-worker-${slug(p.worker.version)}-${slug(p.worker.commit ?? 'unknown')}`,
				'@type': 'SoftwareApplication',
				name: 'Foldwork worker',
				softwareVersion: p.worker.version,
				runtimePlatform: p.worker.runtime,
				...(p.worker.commit ? { identifier: p.worker.commit } : {})
			})
		);
		const id = `#tool-${slug(job.toolId)}-${slug(p.tool.version)}`;
		const tool = this.#shared.get(id) ?? { '@id': id, '@type': 'SoftwareApplication', name: p.tool.name, identifier: job.toolId, softwareVersion: p.tool.version, publisher: ref(PLATFORM), softwareRequirements: [] as Ref[] };
		this.#shared.set(id, tool);
		// Workers with other program versions may have run the same tool version: it requires each that did.
		const requirements = tool.softwareRequirements as Ref[];
		for (const program of programs) if (!requirements.some((r) => r['@id'] === program['@id'])) requirements.push(program);
		return ref(id);
	}

	/** The job's own entities; the shared ones it refers to are kept for finish(). */
	addJob(job: CrateJob): CrateEntity[] {
		const own: CrateEntity[] = [];
		const add = (entity: CrateEntity) => {
			own.push(entity);
			return ref(entity['@id']);
		};
		const tool = this.#tool(job);
		const team = this.#share({ '@id': `#team-${job.teamId}`, '@type': 'Organization', name: 'The job’s team on Foldwork' });
		const agent = job.submitter ? this.#share({ '@id': `#person-${job.submitter.id}`, '@type': 'Person', name: job.submitter.name, memberOf: team }) : team;
		const files = (list: CrateFile[]) =>
			list.map((f) =>
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
		const inputs = files(job.inputs);
		const outputs = files(job.outputs);
		const settings = Object.entries(job.settings).map(([key, value]) =>
			add({
				'@id': `#job-${job.id}-setting-${slug(key)}`,
				'@type': 'PropertyValue',
				name: key,
				value: propertyValue(value),
				...(job.settingLabels[key] ? { description: job.settingLabels[key] } : {})
			})
		);
		this.#folders.push(add({ '@id': job.folder, '@type': 'Dataset', name: job.name, description: `Inputs, outputs and results of the Foldwork job ${job.id}`, hasPart: [...inputs, ...outputs] }));
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
		this.#actions.push(add(action));
		return own;
	}

	/** The metadata descriptor, the root (every job's folder and action) and the shared entities. */
	finish(): CrateEntity[] {
		const o = this.#options;
		return [
			{ '@id': METADATA_FILE, '@type': 'CreativeWork', conformsTo: ref(RO_CRATE_SPEC), about: ref('./') },
			{
				'@id': './',
				'@type': 'Dataset',
				name: o.name,
				description: o.description,
				datePublished: o.datePublished.toISOString(),
				license: o.license ?? 'https://creativecommons.org/licenses/by/4.0/',
				conformsTo: ref(PROCESS_RUN_CRATE),
				hasPart: this.#folders,
				mentions: this.#actions
			},
			...this.#shared.values()
		];
	}
}

/** A whole crate at once (for a few jobs; archives use RoCrateBuilder as they stream). */
export function buildRoCrate(jobs: CrateJob[], options: CrateOptions): RoCrate {
	const builder = new RoCrateBuilder(options);
	const own = jobs.flatMap((job) => builder.addJob(job));
	return { '@context': RO_CRATE_CONTEXT, '@graph': [...builder.finish(), ...own] };
}
