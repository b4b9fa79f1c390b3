// The job detail view on a tool page (/app/tools/<tool>?jobId=<id>): results
// with plots and viewers, live progress over Realtime, errors, the timeline,
// files, and who else is viewing. Jobs run on the real CPU worker where the
// tool is enabled; others are seeded with SQL in the states a worker leaves.
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';
import { addStoredFile, inTransaction, anonymousTest, createUser, expect, newContext, signIn, sql, submitJob, test } from './fixtures.ts';

const jobUrl = (toolId: string, jobId: string) => `/app/tools/${toolId}?jobId=${jobId}`;

interface SeedJob {
	teamId: string;
	userId: string;
	toolId: string;
	name: string;
	input: unknown;
	visibility?: 'private' | 'authenticated' | 'invited' | 'public';
}

async function insertJob(db: pg.Client | null, job: SeedJob): Promise<string> {
	const text = `insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility)
		values ($1, $2, $3, $4, $5, $6) returning id`;
	const params = [job.teamId, job.toolId, job.userId, job.name, JSON.stringify(job.input), job.visibility ?? 'private'];
	const rows = db ? (await db.query<{ id: string }>(text, params)).rows : await sql<{ id: string }>(text, params);
	return rows[0].id;
}

/** A job that went pending -> queued -> processing -> completed with these files, in one transaction (no worker sees it waiting). */
async function seedCompletedJob(job: SeedJob & { result: unknown; files?: Array<{ name: string; mediaType: string; content: string }> }): Promise<string> {
	return inTransaction(async (db) => {
		const id = await insertJob(db, job);
		await db.query(`update public.jobs set status = 'queued' where id = $1`, [id]);
		await db.query(`update public.jobs set status = 'processing', heartbeat_at = now() where id = $1`, [id]);
		for (const f of job.files ?? []) {
			await addStoredFile({ id, teamId: job.teamId }, { name: f.name, mediaType: f.mediaType, content: f.content }, db);
		}
		await db.query(`update public.jobs set status = 'completed', result = $2 where id = $1`, [id, JSON.stringify(job.result)]);
		return id;
	});
}

/** An alpha helix of alanines (N, CA, C, O) with pLDDT in the B-factor column, as ESMFold writes it. */
function helixPdb(residues: number, plddt: (i: number) => number): string {
	const lines: string[] = [];
	const atoms: Array<[string, number, number, number]> = [
		['N', 1.55, -28, -0.9],
		['CA', 2.3, 0, 0],
		['C', 1.65, 28, 0.95],
		['O', 1.9, 40, 2.0]
	];
	let serial = 1;
	for (let i = 0; i < residues; i++) {
		for (const [name, radius, offset, dz] of atoms) {
			const angle = ((i * 100 + offset) * Math.PI) / 180;
			const [x, y, z] = [radius * Math.cos(angle), radius * Math.sin(angle), i * 1.5 + dz];
			const atomName = name.length < 4 ? ` ${name.padEnd(3)}` : name;
			lines.push(
				`ATOM  ${String(serial++).padStart(5)} ${atomName} ALA A${String(i + 1).padStart(4)}    ${x.toFixed(3).padStart(8)}${y.toFixed(3).padStart(8)}${z.toFixed(3).padStart(8)}  1.00${plddt(i).toFixed(2).padStart(6)}           ${name[0]}`
			);
		}
	}
	return lines.join('\n') + '\nTER\nEND\n';
}

test('a completed protein-properties job shows its key figures, hydropathy plot, timeline and downloadable files', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Lysozyme properties', { input: { sequences: [{ id: 'LYSC_CHICK', sequence: HEN_LYSOZYME }] } });
	await page.goto(jobUrl('protein-properties', jobId));

	const job = page.getByRole('article', { name: 'Lysozyme properties' });
	await expect(job.getByText('Completed', { exact: true })).toBeVisible({ timeout: 30_000 });
	// One sequence: its key figures read down the page, a heading and a value per line.
	const table = job.getByRole('table', { name: 'Key figures of LYSC_CHICK' });
	await expect(table.getByRole('rowheader', { name: 'Average mass (Da)' })).toBeVisible();
	// Hen lysozyme (129 aa) weighs about 14.3 kDa; numbers are grouped and right-aligned.
	const mass = table.getByRole('row', { name: /^Average mass/ }).getByRole('cell');
	await expect(mass).toHaveText(/^14,3\d\d\.\d+$/);
	await expect(mass).toHaveCSS('text-align', 'right');
	await expect(job.getByRole('img', { name: /Hydropathy profile of LYSC_CHICK/ })).toBeVisible();
	await expect(job.getByText('Credits consumed')).toBeVisible();
	await expect(job.getByText('Free', { exact: true })).toBeVisible();

	const timeline = job.getByRole('list', { name: 'Status changes' });
	await expect(timeline.getByRole('listitem')).toHaveCount(4);
	await expect(timeline.getByRole('listitem').first()).toContainText('Pending');
	await expect(timeline).toContainText('Pending → Queued');
	await expect(timeline).toContainText('Queued → Running');
	// The completed entry says what finished, not the last progress step that happened to be saved.
	await expect(timeline.getByRole('listitem').last()).toContainText('Running → Completed');
	await expect(timeline.getByRole('listitem').last()).toContainText('Finished: 1 of 1 sequence');

	const files = job.getByRole('table', { name: 'Files of this job' });
	await expect(files.getByRole('cell', { name: 'hydropathy.csv', exact: true })).toBeVisible();
	await files.getByRole('button', { name: 'Preview hydropathy.csv' }).click();
	await expect(page.getByLabel('First lines of hydropathy.csv')).toContainText('id,position,hydropathy');
	const [download] = await Promise.all([page.waitForEvent('download'), files.getByRole('link', { name: 'Download hydropathy.csv' }).click()]);
	expect(download.suggestedFilename()).toBe('hydropathy.csv');
	const content = await readFile((await download.path())!, 'utf8');
	expect(content.split('\r\n')[0]).toBe('id,position,hydropathy');
	expect(content.split('\r\n')[1]).toMatch(/^LYSC_CHICK,5,-?\d/);

	// The download route answers through RLS: a file nobody showed this user is simply not there.
	const href = await files.getByRole('link', { name: 'Download hydropathy.csv' }).getAttribute('href');
	const response = await page.request.get(href!);
	expect(response.headers()['content-type']).toBe('text/csv');
	expect(response.headers()['content-disposition']).toBe(`attachment; filename="hydropathy.csv"; filename*=UTF-8''hydropathy.csv`);
	const stranger = await createUser();
	const strangerContext = await newContext(page.context().browser()!);
	await signIn(strangerContext, stranger);
	expect((await strangerContext.request.get(href!)).status()).toBe(404);
	expect((await strangerContext.request.get('/app/files/not-a-file/download')).status()).toBe(404);
	await strangerContext.close();
});

test('a running job shows live progress and reaches Completed without a reload', async ({ page, user }) => {
	// A GPU tool: with no GPU worker online the job waits, and the test moves it along as a worker would.
	const jobId = await insertJob(null, { teamId: user.teamId, userId: user.id, toolId: 'gpu-selftest', name: 'Live one', input: { sequences: [{ id: 's1', sequence: 'MKVL' }] } });
	await page.goto(jobUrl('gpu-selftest', jobId));
	const job = page.getByRole('article', { name: 'Live one' });
	await expect(job.getByText('Waiting for GPU resources: no GPU worker is online')).toBeVisible();
	await expect(job.getByText(/in the GPU queue/)).toBeVisible();
	await expect(page.locator('article[data-live="true"]')).toBeVisible();
	await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

	await sql(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
	await expect(job.getByText('Queued', { exact: true })).toBeVisible();
	await sql(`update public.jobs set status = 'processing', progress = 15, progress_message = 'Layer 1 of 4', heartbeat_at = now() where id = $1`, [jobId]);
	const bar = job.getByRole('progressbar', { name: 'Progress' });
	await expect(bar).toHaveAttribute('aria-valuenow', '15');
	await expect(bar).toHaveAttribute('aria-valuetext', '15%: Layer 1 of 4');
	await sql(`update public.jobs set progress = 60, progress_message = 'Layer 3 of 4', heartbeat_at = now() where id = $1`, [jobId]);
	await expect(bar).toHaveAttribute('aria-valuenow', '60');
	await expect(bar).toHaveAttribute('aria-valuetext', '60%: Layer 3 of 4');

	const result = { table: { columns: [{ key: 'id', label: 'Sequence', type: 'string' }, { key: 'max_error', label: 'Largest error', type: 'number' }], rows: [{ id: 's1', max_error: 0.00001 }] } };
	await sql(`update public.jobs set status = 'completed', result = $2 where id = $1`, [jobId, JSON.stringify(result)]);
	await expect(job.getByText('Completed', { exact: true })).toBeVisible();
	await expect(bar).toHaveCount(0);
	await expect(job.getByRole('table', { name: 'Result table' }).getByRole('cell', { name: 's1' })).toBeVisible();
	await expect(job.getByRole('list', { name: 'Status changes' })).toContainText('Running → Completed');
	expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});

test('a failed job shows its error and the transition that ended it', async ({ page, user }) => {
	const jobId = await insertJob(null, { teamId: user.teamId, userId: user.id, toolId: 'gpu-selftest', name: 'Broken input', input: { sequences: [{ id: 's1', sequence: 'MKJL' }] } });
	await sql(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
	await sql(`update public.jobs set status = 'processing', heartbeat_at = now() where id = $1`, [jobId]);
	await sql(`update public.jobs set status = 'failed', error_message = $2 where id = $1`, [jobId, "record 's1', position 3: 'J' is not an amino acid"]);
	await page.goto(jobUrl('gpu-selftest', jobId));

	const job = page.getByRole('article', { name: 'Broken input' });
	const alert = job.getByRole('alert');
	await expect(alert).toContainText('Failed');
	await expect(alert).toContainText("record 's1', position 3: 'J' is not an amino acid");
	await expect(job.getByRole('list', { name: 'Status changes' })).toContainText('Running → Failed');
	await expect(job.getByRole('heading', { name: 'Results' })).toHaveCount(0);
});

anonymousTest('shows team mates who else is viewing by name, and people outside the team only how many', async ({ browser }) => {
	const ana = await createUser({ name: 'Ana Owner' });
	const ben = await createUser({ name: 'Ben Viewer' });
	const [team] = await sql<{ id: string }>(`insert into public.teams (name, created_by) values ('Lab', $1) returning id`, [ana.id]);
	await sql(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'member')`, [team.id, ana.id, ben.id]);
	const jobId = await insertJob(null, { teamId: team.id, userId: ana.id, toolId: 'gpu-selftest', name: 'Shared run', input: { sequences: [{ id: 's1', sequence: 'MKVL' }] }, visibility: 'public' });

	const anaContext = await newContext(browser);
	const benContext = await newContext(browser);
	const visitorContext = await newContext(browser);
	await signIn(anaContext, ana);
	await signIn(benContext, ben);
	const anaPage = await anaContext.newPage();
	const benPage = await benContext.newPage();
	const visitorPage = await visitorContext.newPage();
	await anaPage.goto(jobUrl('gpu-selftest', jobId));
	await expect(anaPage.getByRole('article', { name: 'Shared run' })).toBeVisible();
	await benPage.goto(jobUrl('gpu-selftest', jobId));

	await expect(anaPage.getByText('Also viewing: Ben Viewer')).toBeVisible();
	await expect(benPage.getByText('Also viewing: Ana Owner')).toBeVisible();
	await expect(benPage.getByText('Ana Owner', { exact: true })).toBeVisible(); // the submitter, shown to a team mate

	// An anonymous visitor with the link: a count, no names, no submitter.
	await visitorPage.goto(jobUrl('gpu-selftest', jobId));
	const visited = visitorPage.getByRole('article', { name: 'Shared run' });
	await expect(visited.getByText('Also viewing: 2 other people')).toBeVisible();
	await expect(visited.getByText('A member of the job’s team')).toBeVisible();
	await expect(visitorPage.getByText(/Ana Owner|Ben Viewer/)).toHaveCount(0);
	await expect(anaPage.getByText('Also viewing: Ben Viewer, a visitor')).toBeVisible();

	await benPage.close();
	await expect(anaPage.getByText('Also viewing: a visitor')).toBeVisible();
	await expect(visited.getByText('Also viewing: 1 other person')).toBeVisible();
	await visitorPage.close();
	await expect(anaPage.getByText(/Also viewing/)).toHaveCount(0);
	await anaContext.close();
	await benContext.close();
	await visitorContext.close();
});

anonymousTest('a visitor follows a public job live without the worker\'s host, and loses it when it is made private', async ({ browser }) => {
	const owner = await createUser({ name: 'Owner Person' });
	const jobId = await insertJob(null, { teamId: owner.teamId, userId: owner.id, toolId: 'gpu-selftest', name: 'Public run', input: { sequences: [{ id: 's1', sequence: 'MKVL' }] }, visibility: 'public' });
	const context = await newContext(browser);
	const page = await context.newPage();
	await page.goto(jobUrl('gpu-selftest', jobId));
	const job = page.getByRole('article', { name: 'Public run' });
	await expect(page.locator('article[data-live="true"]')).toBeVisible();

	await sql(`update public.jobs set status = 'queued' where id = $1`, [jobId]);
	await inTransaction(async (db) => {
		await db.query(`select set_config('foldwork.status_message', 'Started on gpu-box-7.lab.internal', true)`);
		// A heartbeat fresh for the length of the test, so the fleet's reaper leaves it be.
		await db.query(`update public.jobs set status = 'processing', progress = 25, progress_message = 'Layer 1 of 4', heartbeat_at = now() + interval '1 hour' where id = $1`, [jobId]);
	});
	await expect(job.getByRole('progressbar', { name: 'Progress' })).toHaveAttribute('aria-valuenow', '25');
	const timeline = job.getByRole('list', { name: 'Status changes' });
	await expect(timeline).toContainText('Queued → Running');
	await expect(page.getByText(/gpu-box-7/)).toHaveCount(0);

	await sql(`update public.jobs set visibility = 'private' where id = $1`, [jobId]);
	await expect(page.getByText('This job does not exist, or you cannot see it.')).toBeVisible({ timeout: 5_000 });
	await context.close();
});

test('someone outside the team sees a job shared with signed-in users read-only', async ({ page }) => {
	const owner = await createUser({ name: 'Owner Person' });
	const jobId = await seedCompletedJob({
		teamId: owner.teamId,
		userId: owner.id,
		toolId: 'gpu-selftest',
		name: 'Shared with everyone',
		visibility: 'authenticated',
		input: { sequences: [{ id: 's1', sequence: 'MKVL' }] },
		result: { table: { columns: [{ key: 'id', label: 'Sequence', type: 'string' }], rows: [{ id: 's1' }] } }
	});
	await page.goto(jobUrl('gpu-selftest', jobId));
	const job = page.getByRole('article', { name: 'Shared with everyone' });
	await expect(job.getByRole('table', { name: 'Result table' })).toBeVisible();
	// Export and links only: what changes or re-runs the job stays with its team.
	await job.getByRole('button', { name: 'Actions for Shared with everyone' }).click();
	expect((await page.getByRole('menu').getByRole('menuitem').allTextContents()).map((s) => s.trim())).toEqual(['Download CSV', 'Download JSON', 'Download archive (ZIP)', 'Copy link', 'Open in new tab']);
	await page.keyboard.press('Escape');
	await expect(job.getByText('Logged-in users', { exact: true })).toBeVisible();
	// Outside the team the submitter is not named.
	await expect(job.getByText('A member of the job’s team')).toBeVisible();
	await expect(page.getByText('Owner Person')).toHaveCount(0);
});

test('a predicted structure shows its pLDDT plot and a 3D viewer', async ({ page, user }) => {
	const plddt = Array.from({ length: 12 }, (_, i) => 95 - i * 5);
	const pdb = helixPdb(12, (i) => plddt[i]);
	const jobId = await seedCompletedJob({
		teamId: user.teamId,
		userId: user.id,
		toolId: 'structure-prediction',
		name: 'Helix prediction',
		input: { sequences: [{ id: 'helix', sequence: 'A'.repeat(12) }] },
		result: {
			table: {
				columns: [
					{ key: 'id', label: 'Sequence', type: 'string' },
					{ key: 'mean_plddt', label: 'Mean pLDDT', type: 'number' },
					{ key: 'file', label: 'Structure file', type: 'string' }
				],
				rows: [{ id: 'helix', mean_plddt: 67.5, file: 'helix.pdb' }]
			},
			plddt: [{ id: 'helix', plddt }]
		},
		files: [{ name: 'helix.pdb', mediaType: 'chemical/x-pdb', content: pdb }]
	});
	await page.goto(jobUrl('structure-prediction', jobId));
	const job = page.getByRole('article', { name: 'Helix prediction' });
	await expect(job.getByRole('img', { name: /pLDDT per residue of helix/ })).toBeVisible();
	await expect(job.getByText('Very high (pLDDT > 90)')).toBeVisible();
	const viewer = job.getByRole('img', { name: /3D structure of helix, coloured by pLDDT/ });
	await expect(viewer.locator('canvas')).toBeVisible({ timeout: 20_000 });
	await expect(viewer).toHaveAttribute('data-ready', 'true');
});

test('a structure analysis shows its Ramachandran plot and the input structure in 3D', async ({ page, user }) => {
	const pdb = helixPdb(10, () => 20);
	const residues = Array.from({ length: 10 }, (_, i) => ({ name: 'ALA', seq: i + 1, icode: '', phi: i === 0 ? null : -57 + i, psi: i === 9 ? null : -47 - i, ss: 'H' }));
	const jobId = await seedCompletedJob({
		teamId: user.teamId,
		userId: user.id,
		toolId: 'structure-analysis',
		name: 'Helix analysis',
		input: { structures: [{ name: 'helix', format: 'pdb', content: pdb }] },
		result: {
			table: { columns: [{ key: 'structure', label: 'Structure', type: 'string' }, { key: 'chain', label: 'Chain', type: 'string' }, { key: 'radius_of_gyration', label: 'Radius of gyration', type: 'number', unit: 'A' }], rows: [{ structure: 'helix', chain: 'A', radius_of_gyration: 5.1 }] },
			chains: [{ structure: 'helix', chain: 'A', residues }],
			fasta: '>helix_A\nAAAAAAAAAA\n',
			secondaryStructureUnavailable: [],
			notices: []
		}
	});
	await page.goto(jobUrl('structure-analysis', jobId));
	const job = page.getByRole('article', { name: 'Helix analysis' });
	await expect(job.getByRole('rowheader', { name: 'Radius of gyration (Å)' })).toBeVisible();
	const plot = job.getByRole('img', { name: /Ramachandran plot of helix/ });
	await expect(plot).toBeVisible();
	await expect(plot.locator('circle')).toHaveCount(8);
	await expect(job.getByRole('list', { name: 'Chains' })).toContainText('Chain A (8 residues)');
	await expect(job.getByRole('img', { name: /3D structure of helix/ }).locator('canvas')).toBeVisible({ timeout: 20_000 });
});

test('a molecule job draws each molecule in 2D with RDKit', async ({ page, user }) => {
	const jobId = await submitJob(user, 'Two drugs', {
		tool: 'molecule-properties',
		input: {
			molecules: [
				{ id: 'aspirin', smiles: 'CC(=O)Oc1ccccc1C(=O)O' },
				{ id: 'caffeine', smiles: 'CN1C=NC2=C1C(=O)N(C(=O)N2C)C' }
			]
		}
	});
	await page.goto(jobUrl('molecule-properties', jobId));
	const job = page.getByRole('article', { name: 'Two drugs' });
	await expect(job.getByText('Completed', { exact: true })).toBeVisible({ timeout: 30_000 });
	// Two molecules read down the page, a column each.
	await expect(job.getByRole('table', { name: 'Molecule descriptors, a column per molecule' }).getByRole('columnheader', { name: 'aspirin' })).toBeVisible();
	for (const name of ['aspirin', 'caffeine']) {
		const drawing = job.getByRole('img', { name: `2D structure of ${name}` });
		await expect(drawing.locator('svg path').first()).toBeVisible({ timeout: 20_000 });
	}
});

test('a large result table shows one page at a time', async ({ page, user }) => {
	const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: `seq${i + 1}`, length: 100 + (i % 50) }));
	const jobId = await seedCompletedJob({
		teamId: user.teamId,
		userId: user.id,
		toolId: 'gpu-selftest',
		name: 'Ten thousand rows',
		input: { sequences: [{ id: 's1', sequence: 'MKVL' }] },
		result: { table: { columns: [{ key: 'id', label: 'Sequence', type: 'string' }, { key: 'length', label: 'Length', type: 'integer', unit: 'aa' }], rows } }
	});
	await page.goto(jobUrl('gpu-selftest', jobId));
	const job = page.getByRole('article', { name: 'Ten thousand rows' });
	const table = job.getByRole('table', { name: 'Result table' });
	await expect(job.getByText('Rows 1–50 of 10,000')).toBeVisible();
	await expect(table.getByRole('row')).toHaveCount(51);
	await job.getByRole('button', { name: 'Next' }).click();
	await expect(table.getByRole('cell', { name: 'seq51', exact: true })).toBeVisible();
	await job.getByRole('button', { name: 'Length (aa)' }).click();
	await job.getByRole('button', { name: 'Length (aa)' }).click();
	await expect(table.getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText('149');
	await job.getByLabel('Filter rows').fill('seq9999');
	await expect(table.getByRole('row')).toHaveCount(2);
});

test('a docking job shows its poses over the receptor in 3D and its ligands in 2D', async ({ page, user }) => {
	const pose = (affinity: number, dx: number) =>
		`ethanol\n     OpenBabel         3D\n\n  3  2  0  0  0  0  0  0  0  0999 V2000\n` +
		`    ${(0.0 + dx).toFixed(4).padStart(6)}    0.0000    1.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n` +
		`    ${(1.5 + dx).toFixed(4).padStart(6)}    0.0000    1.0000 C   0  0  0  0  0  0  0  0  0  0  0  0\n` +
		`    ${(2.2 + dx).toFixed(4).padStart(6)}    1.2000    1.0000 O   0  0  0  0  0  0  0  0  0  0  0  0\n` +
		`  1  2  1  0  0  0  0\n  2  3  1  0  0  0  0\nM  END\n> <minimizedAffinity>\n${affinity}\n\n$$$$\n`;
	const jobId = await seedCompletedJob({
		teamId: user.teamId,
		userId: user.id,
		toolId: 'docking',
		name: 'Ethanol docking',
		input: { receptor: { name: 'helix', text: helixPdb(10, () => 30) }, ligands: [{ name: 'ethanol', smiles: 'CCO' }], box: { mode: 'manual', center: [0, 0, 7], size: [12, 12, 16] } },
		result: {
			table: {
				columns: [
					{ key: 'ligand', label: 'Ligand', type: 'string' },
					{ key: 'mode', label: 'Mode', type: 'integer' },
					{ key: 'affinity_kcal_mol', label: 'Affinity', type: 'number', unit: 'kcal/mol' }
				],
				rows: [{ ligand: 'ethanol', mode: 1, affinity_kcal_mol: -2.4 }, { ligand: 'ethanol', mode: 2, affinity_kcal_mol: -2.1 }]
			},
			box: { center: [0, 0, 7], size: [12, 12, 16], source: 'manual' },
			ligands: [{ name: 'ethanol', best_affinity_kcal_mol: -2.4, poses: 2, heavy_atoms: 3, torsions: 1, files: { sdf: 'ethanol_poses.sdf', pdb: 'ethanol_poses.pdb', pdbqt: 'ethanol_poses.pdbqt', prepared: 'ethanol_prepared.pdbqt' } }],
			files: [],
			notes: [],
			programs: { vina: '1.2.5', obabel: '3.1.1' },
			vina_commands: []
		},
		files: [{ name: 'ethanol_poses.sdf', mediaType: 'chemical/x-mdl-sdfile', content: pose(-2.4, 0) + pose(-2.1, 0.5) }]
	});
	await page.goto(jobUrl('docking', jobId));
	const job = page.getByRole('article', { name: 'Ethanol docking' });
	await expect(job.getByRole('columnheader', { name: 'Affinity (kcal/mol)' })).toBeVisible();
	await expect(job.getByRole('cell', { name: '-2.4' })).toBeVisible();
	const poses = job.getByRole('combobox', { name: 'Pose' });
	await expect(poses.getByRole('option')).toHaveText(['Mode 1 (-2.4 kcal/mol)', 'Mode 2 (-2.1 kcal/mol)']);
	await expect(job.getByRole('img', { name: /Pose 1 of ethanol in the receptor/ }).locator('canvas')).toBeVisible({ timeout: 20_000 });
	await poses.selectOption({ label: 'Mode 2 (-2.1 kcal/mol)' });
	await expect(job.getByRole('img', { name: /Pose 2 of ethanol in the receptor/ })).toHaveAttribute('data-ready', 'true');
	await expect(job.getByRole('img', { name: '2D structure of ethanol' }).locator('svg')).toBeVisible({ timeout: 20_000 });
	// The input's search box in words, not as the JSON it is stored as.
	const input = job.getByRole('region', { name: 'Input and settings' });
	await expect(input.getByRole('region', { name: 'Search box' }).locator('pre')).toHaveText('Centre (x, y, z) (0, 0, 7) Å, size 12 × 12 × 16 Å');
	await expect(input.getByText('"mode"')).toHaveCount(0);
});
