// Compare runs (issue 21): two protein-properties runs of the same protein
// at different pH, opened from the job menu's "Compare with…" and the
// page's picker; the pH setting is marked as the difference and the charge
// at each pH gets its delta (the pI, which does not depend on the pH, ±0).
// The compare link as an attacker edits it: another team's private job in
// it shows nothing of that job, and an anonymous visitor is asked to sign in.
import AxeBuilder from '@axe-core/playwright';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { e2eInfo } from './env.ts';
import { clientFor, createUser, expect, inTransaction, newContext, openJobMenu, signIn, submitJob, submitJobAs, test, waitForJob, type TestUser } from './fixtures.ts';

test.describe.configure({ timeout: 120_000 });

const lysozyme = { sequences: [{ id: 'lysozyme', sequence: HEN_LYSOZYME }] };

test('compares two protein-properties runs with different pH', async ({ page, user, context }) => {
	const client = await clientFor(user);
	const neutral = await submitJobAs(client, user.teamId, 'Lysozyme at pH 7', { input: lysozyme, settings: { pH: 7 } });
	const acidic = await submitJobAs(client, user.teamId, 'Lysozyme at pH 5', { input: lysozyme, settings: { pH: 5 } });
	await Promise.all([waitForJob(neutral), waitForJob(acidic)]);

	// From the job menu: the compare page opens with this job and offers the team's other runs of the tool.
	await page.goto('/app/jobs');
	await (await openJobMenu(page, 'Lysozyme at pH 7')).getByRole('menuitem', { name: 'Compare with…' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${neutral}`);
	await expect(page.getByText('Add at least one more job of this tool to compare.')).toBeVisible();
	await page.getByLabel("Search your team's Protein properties jobs").fill('pH 5');
	await page.getByRole('button', { name: 'Add Lysozyme at pH 5 to the comparison' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${neutral},${acidic}`);

	// Settings: the pH is the one marked as different, with each run's value.
	const settings = page.getByRole('table', { name: 'Settings of each job' });
	const ph = settings.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /pH/ }) });
	await expect(ph).toContainText('differs');
	await expect(ph.getByRole('cell')).toHaveText(['7', '5']);
	await expect(settings.getByText('differs')).toHaveCount(1);

	// Inputs: the same protein in both.
	const inputs = page.getByRole('table', { name: 'Input records of each job' });
	await expect(inputs.getByRole('row', { name: /lysozyme/ })).toContainText('same as A');

	// Results: the lysozyme record, the charge with its delta (lower pH, more positive), the pI unchanged.
	const record = page.getByRole('table', { name: /^lysozyme/ });
	const charge = record.getByRole('row', { name: /^Net charge at pH 7\.0 \/ Net charge at pH 5\.0/ });
	const [atNeutral, atAcidic, delta] = (await charge.getByRole('cell').allTextContents()).map((t) => t.trim());
	expect(Number(atAcidic) - Number(atNeutral)).toBeGreaterThan(0);
	expect(delta).toMatch(/^\+\d/);
	expect(Number(delta.slice(1))).toBeCloseTo(Number(atAcidic) - Number(atNeutral), 3);
	await expect(record.getByRole('row', { name: /^Theoretical pI/ }).getByRole('cell').last()).toHaveText('±0');
	await expect(record.getByRole('row', { name: /^Average mass/ }).getByRole('cell').last()).toHaveText('±0 Da');

	// Only differences: the pH and the charge remain.
	await page.getByLabel('Show only differences').check();
	await expect(settings.getByRole('row')).toHaveCount(2);
	await expect(record.getByRole('row', { name: /^Theoretical pI/ })).toHaveCount(0);
	await expect(charge).toBeVisible();

	// The hydropathy profiles overlaid, one line per run, with a legend naming them.
	await expect(page.getByRole('img', { name: 'Hydropathy profile of lysozyme, one line per job' })).toBeVisible();
	await expect(page.locator('figcaption').getByText('A: Lysozyme at pH 7')).toBeVisible();
	await expect(page.locator('figcaption').getByText('B: Lysozyme at pH 5')).toBeVisible();

	expect((await new AxeBuilder({ page }).include('#main').analyze()).violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

	// The comparison's own link, to share.
	await context.grantPermissions(['clipboard-read', 'clipboard-write']);
	await page.getByRole('button', { name: 'Copy link' }).click();
	await expect(page.getByText('Link copied')).toBeVisible();
	expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${e2eInfo().webUrl}/app/compare?ids=${neutral},${acidic}`);

	// Removing a run goes back to asking for another; the address follows.
	await page.getByRole('button', { name: 'Remove Lysozyme at pH 7 from the comparison' }).click();
	await expect(page).toHaveURL(`/app/compare?ids=${acidic}`);
});

test('a compare link shows nothing of a job the viewer may not open', async ({ page, user, browser }) => {
	const alice = await createUser({ name: 'Alice Private' });
	const secret = await submitJob(alice, 'Alice secret lysozyme', { input: { sequences: [{ id: 'alice-secret-record', sequence: HEN_LYSOZYME }] } });
	const own = await submitJob(user, 'My lysozyme');
	await Promise.all([waitForJob(secret), waitForJob(own)]);

	await page.goto(`/app/compare?ids=${secret},${own}`);
	await expect(page.getByText(/One job in this link is not available to you/)).toBeVisible();
	await expect(page.getByRole('link', { name: 'My lysozyme' })).toBeVisible();
	const html = await page.content();
	expect(html).not.toContain('Alice secret lysozyme');
	expect(html).not.toContain('alice-secret-record');

	// An anonymous visitor is asked to sign in first.
	const anonymous = await newContext(browser);
	try {
		const visitor = await anonymous.newPage();
		await visitor.goto(`/app/compare?ids=${secret},${own}`);
		await expect(visitor).toHaveURL(/\/login\?next=/);
		expect(await visitor.content()).not.toContain('Alice secret lysozyme');
	} finally {
		await anonymous.close();
	}
	// Alice, whose jobs they are, sees her own job and not the other team's.
	const aliceContext = await newContext(browser);
	try {
		await signIn(aliceContext, alice);
		const alicePage = await aliceContext.newPage();
		await alicePage.goto(`/app/compare?ids=${secret},${own}`);
		await expect(alicePage.getByRole('link', { name: 'Alice secret lysozyme' })).toBeVisible();
		expect(await alicePage.content()).not.toContain('My lysozyme');
	} finally {
		await aliceContext.close();
	}
});

/** A completed job recorded as a worker records one (this file is about the page, not the tools). */
async function recordRun(user: TestUser, toolId: string, name: string, input: unknown, settings: unknown, result: unknown): Promise<string> {
	return inTransaction(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings) values ($1, $2, $3, $4, $5, $6) returning id`,
			[user.teamId, toolId, user.id, name, JSON.stringify(input), JSON.stringify(settings)]
		);
		const id = rows[0].id;
		for (const status of ['queued', 'processing']) await db.query('update public.jobs set status = $2 where id = $1', [id, status]);
		await db.query(`update public.jobs set status = 'completed', progress = 100, result = $2 where id = $1`, [id, JSON.stringify(result)]);
		return id;
	});
}

const table = (columns: Array<[string, string, string, string?]>, rows: Array<Record<string, unknown>>) => ({
	columns: columns.map(([key, label, type, unit]) => ({ key, label, type, ...(unit ? { unit } : {}) })),
	rows
});
const residue = (seq: number, phi: number, psi: number) => ({ name: 'ALA', seq, icode: '', phi, psi, ss: null });
const PDB = 'ATOM      1  N   ALA A   1      11.104   6.134  -6.504  1.00  0.00           N\nEND\n';

/** Two runs of each tool, the second changed in one setting, one input record and one figure: [input, settings, result] each. */
const RUNS: Record<string, { record: RegExp; runs: Array<[unknown, unknown, unknown]> }> = {
	'sequence-tools': {
		record: /^dna1 · translation/,
		runs: [7, 9].map((len, i) => [
			{ sequences: [{ id: 'dna1', sequence: i ? 'ATGGCCAAATAA' : 'ATGGCCTAA' }] },
			{ frames: i ? '6' : '1' },
			{ table: table([['sequence_id', 'Sequence', 'string'], ['output', 'Output', 'string'], ['name', 'Name', 'string'], ['length', 'Length', 'integer']], [{ sequence_id: 'dna1', output: 'translation', name: 'dna1_1', length: len }]), fasta: '' }
		])
	},
	'pairwise-alignment': {
		record: /^HBA · HBB/,
		runs: [
			[{ query: { id: 'HBA', sequence: 'MVLSPADKTN' }, targets: [{ id: 'HBB', sequence: 'MVHLTPEEKS' }] }, {}, { table: table([['query', 'Query', 'string'], ['target', 'Target', 'string'], ['score', 'Score', 'number']], [{ query: 'HBA', target: 'HBB', score: 12.5 }]), alignments: [] }],
			[{ query: { id: 'HBA', sequence: 'MVLSPADKTN' }, targets: [{ id: 'HBB', sequence: 'MVHLTPEEKA' }] }, { mode: 'local' }, { table: table([['query', 'Query', 'string'], ['target', 'Target', 'string'], ['score', 'Score', 'number']], [{ query: 'HBA', target: 'HBB', score: 20 }]), alignments: [] }]
		]
	},
	'molecule-properties': {
		record: /^aspirin/,
		runs: ['CC(=O)OC1=CC=CC=C1C(=O)O', 'CC(=O)OC1=CC=CC=C1C(=O)OC'].map((smiles, i) => [{ molecules: [{ id: 'aspirin', smiles }] }, { depiction: i === 0 }, { table: table([['id', 'ID', 'string'], ['clogp', 'cLogP', 'number']], [{ id: 'aspirin', clogp: 1.31 + i }]) }])
	},
	'structure-analysis': {
		record: /^1crn · A/,
		runs: [0, 1].map((i) => [
			{ structures: [{ name: '1crn', format: 'pdb', content: PDB + (i ? 'REMARK changed\n' : '') }] },
			{ secondaryStructure: i === 0 },
			{
				table: table([['structure', 'Structure', 'string'], ['chain', 'Chain', 'string'], ['radius_of_gyration', 'Radius of gyration', 'number', 'A']], [{ structure: '1crn', chain: 'A', radius_of_gyration: 9.8 + i }]),
				chains: [{ structure: '1crn', chain: 'A', residues: [residue(1, -60, -45), residue(2, -120 + i * 10, 130)] }],
				fasta: ''
			}
		])
	},
	docking: {
		record: /^imatinib · pose 1/,
		runs: [-11.2, -10.4].map((affinity, i) => [
			{ receptor: { name: 'abl', text: PDB }, ligands: [{ name: 'imatinib', smiles: i ? 'CC1=CC=CC=C1' : 'CC1=CC=CC=C1N' }], box: { mode: 'manual', center: [0, 0, 0], size: [20, 20, 20] } },
			{ exhaustiveness: i ? 16 : 8 },
			{ table: table([['ligand', 'Ligand', 'string'], ['mode', 'Mode', 'integer'], ['affinity_kcal_mol', 'Affinity', 'number', 'kcal/mol']], [{ ligand: 'imatinib', mode: 1, affinity_kcal_mol: affinity }]) }
		])
	},
	'structure-prediction': {
		record: /^ubq/,
		runs: [80, 85].map((plddt, i) => [
			{ sequences: [{ id: 'ubq', sequence: i ? 'MQIFVKTLTG' : 'MQIFVKTLAG' }] },
			{},
			{ table: table([['id', 'Sequence', 'string'], ['mean_plddt', 'Mean pLDDT', 'number']], [{ id: 'ubq', mean_plddt: plddt }]), plddt: [{ id: 'ubq', plddt: [plddt, plddt - 5, plddt + 5] }] }
		])
	},
	'gpu-selftest': {
		record: /^s1/,
		runs: [1.5, 1.2].map((seconds, i) => [{ sequences: [{ id: 's1', sequence: i ? 'MKVLA' : 'MKVL' }] }, {}, { table: table([['id', 'Sequence', 'string'], ['seconds', 'Time', 'number', 's']], [{ id: 's1', seconds }]), device: 'cpu', embeddingDim: 8 }])
	}
};

test('every tool compares: settings, inputs and results record by record, with its plots', async ({ page, user }) => {
	expect(Object.keys(RUNS).sort()).toEqual(toolCatalog.map((t) => t.id).filter((id) => id !== 'protein-properties').sort());
	const errors: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error') errors.push(m.text());
	});
	for (const [toolId, { record, runs }] of Object.entries(RUNS)) {
		const ids = [];
		for (const [n, [input, settings, result]] of runs.entries()) ids.push(await recordRun(user, toolId, `${toolId} run ${n + 1}`, input, settings, result));
		await page.goto(`/app/compare?ids=${ids.join(',')}`);
		await expect(page.getByRole('heading', { level: 1 }), toolId).toHaveText(/^Compare runs of /);
		// A setting, an input record and the result record differ (gpu-selftest and structure prediction have no settings).
		const settings = page.getByRole('table', { name: 'Settings of each job' });
		if (Object.keys(runs[1][1] as object).length) await expect(settings.getByText('differs'), toolId).toHaveCount(1);
		await expect(page.getByRole('table', { name: 'Input records of each job' }).getByText('differs from A').first(), toolId).toBeVisible();
		const recordTable = page.getByRole('table', { name: record });
		await expect(recordTable, toolId).toBeVisible();
		await expect(recordTable.locator('tr.differs').first(), toolId).toBeVisible();
		if (toolId === 'structure-analysis') await expect(page.getByRole('img', { name: 'Ramachandran plot of 1crn' })).toBeVisible();
		if (toolId === 'structure-prediction') {
			await expect(page.getByRole('img', { name: 'pLDDT per residue of ubq, one line per job' })).toBeVisible();
			// A residue diff: one residue changed, shown removed and added.
			await expect(page.getByText('Against A: 1 residue removed, 1 residue added.')).toBeVisible();
			await expect(page.getByRole('deletion')).toHaveText('A');
			await expect(page.getByRole('insertion')).toHaveText('T');
		}
	}
	expect(errors).toEqual([]);
});
