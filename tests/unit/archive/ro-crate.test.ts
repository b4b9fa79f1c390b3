// ro-crate-metadata.json (src/lib/archive/ro-crate.ts) against each MUST of
// RO-Crate 1.1 and the Process Run Crate profile 0.5, as listed and checked
// by tests/helpers/process-run-crate.ts; each rule is also broken on
// purpose once, to show the checker notices.
import { describe, expect, it } from 'vitest';
import { buildRoCrate, PROCESS_RUN_CRATE, type CrateJob, type RoCrate } from '#lib/archive/ro-crate.ts';
import { checkProcessRunCrate } from '../../helpers/process-run-crate.ts';

const sha = (c: string) => c.repeat(64);
const provenance = {
	tool: { id: 'docking', name: 'Docking', version: '1.0.0' },
	programs: { 'AutoDock Vina': '1.2.3', 'Open Babel': '3.1.1' },
	worker: { version: '0.1.0', commit: 'a'.repeat(40), runtime: 'Node.js v22.18.0' }
};

function job(overrides: Partial<CrateJob> = {}): CrateJob {
	const id = overrides.id ?? '11111111-1111-4111-8111-111111111111';
	const folder = `jobs/${id}/`;
	return {
		id,
		name: 'Dock aspirin',
		toolId: 'docking',
		toolName: 'Docking',
		status: 'completed',
		startedAt: '2026-12-07T10:00:00.000Z',
		finishedAt: '2026-12-07T10:01:30.000Z',
		errorMessage: null,
		provenance,
		settings: { exhaustiveness: 8, poses: 9, score_only: false, box: { x: 1 } },
		settingLabels: { exhaustiveness: 'Exhaustiveness 8' },
		submitter: { id: '22222222-2222-4222-8222-222222222222', name: 'Ada' },
		teamId: '33333333-3333-4333-8333-333333333333',
		folder,
		inputs: [{ path: `${folder}input.json`, name: 'input.json', sha256: sha('1'), contentSize: 120, encodingFormat: 'application/json' }],
		outputs: [
			{ path: `${folder}outputs/poses.pdbqt`, name: 'poses.pdbqt', sha256: sha('2'), contentSize: 5000, encodingFormat: 'chemical/x-pdbqt' },
			{ path: `${folder}results.csv`, name: 'results.csv', sha256: sha('3'), contentSize: 300, encodingFormat: 'text/csv' }
		],
		...overrides
	};
}

const options = { name: 'Foldwork jobs', description: 'Two jobs', datePublished: new Date('2026-12-07T12:00:00Z') };
const entity = (crate: RoCrate, id: string) => crate['@graph'].find((e) => e['@id'] === id)!;

describe('buildRoCrate', () => {
	const crate = buildRoCrate(
		[
			job(),
			job({ id: '44444444-4444-4444-8444-444444444444', status: 'failed', errorMessage: 'line 3: bad atom', submitter: null, provenance: null, outputs: [] })
		],
		options
	);

	it('meets every MUST of RO-Crate 1.1 and the Process Run Crate profile', () => {
		expect(checkProcessRunCrate(crate)).toEqual([]);
	});

	it('describes the tool at the version that ran, with its programs and the worker', () => {
		const action = entity(crate, '#job-11111111-1111-4111-8111-111111111111');
		const tool = entity(crate, (action.instrument as { '@id': string })['@id']);
		expect(tool).toMatchObject({ '@type': 'SoftwareApplication', name: 'Docking', softwareVersion: '1.0.0' });
		const required = (tool.softwareRequirements as Array<{ '@id': string }>).map((r) => entity(crate, r['@id']));
		expect(required.map((r) => [r.name, r.softwareVersion])).toEqual([
			['AutoDock Vina', '1.2.3'],
			['Open Babel', '3.1.1'],
			['Foldwork worker', '0.1.0']
		]);
		expect(entity(crate, './').conformsTo).toEqual({ '@id': PROCESS_RUN_CRATE });
	});

	it('records each run: times, status, agent, inputs with settings as PropertyValues, outputs with checksums', () => {
		const action = entity(crate, '#job-11111111-1111-4111-8111-111111111111');
		expect(action).toMatchObject({
			'@type': 'CreateAction',
			startTime: '2026-12-07T10:00:00.000Z',
			endTime: '2026-12-07T10:01:30.000Z',
			actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
			agent: { '@id': '#person-22222222-2222-4222-8222-222222222222' }
		});
		const objects = (action.object as Array<{ '@id': string }>).map((r) => entity(crate, r['@id']));
		expect(objects.filter((o) => o['@type'] === 'PropertyValue').map((o) => [o.name, o.value])).toEqual([
			['exhaustiveness', 8],
			['poses', 9],
			['score_only', false],
			['box', '{"x":1}']
		]);
		expect(entity(crate, 'jobs/11111111-1111-4111-8111-111111111111/outputs/poses.pdbqt')).toMatchObject({ '@type': 'File', sha256: sha('2'), contentSize: '5000', encodingFormat: 'chemical/x-pdbqt' });
		const failed = entity(crate, '#job-44444444-4444-4444-8444-444444444444');
		expect(failed).toMatchObject({ actionStatus: { '@id': 'http://schema.org/FailedActionStatus' }, error: 'line 3: bad atom' });
	});

	it('names no one outside the team: a link viewer\'s crate has the team as agent, and no crate carries an email', () => {
		const failed = entity(crate, '#job-44444444-4444-4444-8444-444444444444');
		expect(entity(crate, (failed.agent as { '@id': string })['@id'])['@type']).toBe('Organization');
		expect(JSON.stringify(crate)).not.toMatch(/[\w.+-]+@[\w-]+\.[a-z]{2,}/i);
	});

	// The checker must be able to fail: break each rule once.
	const breakages: Array<[string, (c: RoCrate) => void]> = [
		['R1', (c) => (c['@context'] = 'https://schema.org/')],
		['R2', (c) => (entity(c, './').about = { '@id': 'x', name: 'nested' })],
		['R3', (c) => (entity(c, 'ro-crate-metadata.json').conformsTo = { '@id': 'https://w3id.org/ro/crate/1.0' })],
		['R4', (c) => delete entity(c, './').license],
		['R5', (c) => (entity(c, './').hasPart = [])],
		['R6', (c) => ((entity(c, '#job-11111111-1111-4111-8111-111111111111').result as unknown[]).push({ '@id': '#nothing' }))],
		['P1', (c) => (entity(c, './').conformsTo = { '@id': 'https://w3id.org/ro/wfrun/workflow/0.5' })],
		['P2', (c) => (entity(c, '#tool-docking-1.0.0')['@type'] = 'Thing')],
		['P3', (c) => (entity(c, './').mentions = [])],
		['P4', (c) => delete entity(c, '#job-11111111-1111-4111-8111-111111111111').instrument],
		['P5', (c) => delete entity(c, 'jobs/11111111-1111-4111-8111-111111111111/results.csv').sha256],
		['P6', (c) => (entity(c, '#job-11111111-1111-4111-8111-111111111111').endTime = 'yesterday')],
		['P7', (c) => (entity(c, '#job-11111111-1111-4111-8111-111111111111').actionStatus = { '@id': 'http://schema.org/Done' })],
		['P8', (c) => (entity(c, '#person-22222222-2222-4222-8222-222222222222').email = 'ada@example.org')]
	];
	it.each(breakages)('notices a crate that breaks %s', (rule, breakIt) => {
		const broken = structuredClone(crate);
		breakIt(broken);
		expect(checkProcessRunCrate(broken).map((f) => f.rule)).toContain(rule);
	});
});
