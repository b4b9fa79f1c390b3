// Every result a tool writes renders as its tool's page, never as the
// fallback ("no table this page can read", raw JSON): the seeded demo jobs,
// and each tool's examples run through the tool. Then how results read: the
// answer first (protein key figures, alignments before their EMBOSS
// header), with units, conditions and the tool's conventions.
//
// The tools run in this process (structure prediction against the ESMFold
// stand-in; there is no GPU worker here) and their runs are recorded as a
// worker records them: this file is about the pages, and a docking run on
// the platform's one CPU worker would hold up every other file's jobs.
import type { Locator, Page } from '@playwright/test';
import { toolCatalog } from '#lib/tools/catalog.ts';
import { toolRegistry } from '#lib/tools/registry.ts';
import { createStructurePredictionTool, toolDefinitions } from '#lib/tools/runners.server.ts';
import { HUMAN_INSULIN_A } from '#lib/tools/well-known-sequences.ts';
import { startEsmfoldStandin } from '../fixtures/esmfold-standin.ts';
import { addStoredFile, inTransaction, expect, signIn, sql, test, type TestUser } from './fixtures.ts';

const jobUrl = (toolId: string, jobId: string) => `/app/tools/${toolId}?jobId=${jobId}`;

/** A heading each tool's own renderer draws inside its results (the fallback draws none of these). */
const LANDMARK: Record<string, RegExp> = {
	'protein-properties': /^Key figures/,
	'sequence-tools': /^Open reading frames \(FASTA\)$/,
	'pairwise-alignment': /^Alignments?$/,
	'molecule-properties': /^2D structures$/,
	'structure-analysis': /^Ramachandran plot$/,
	docking: /^Poses in 3D$/,
	'structure-prediction': /^Per-residue confidence \(pLDDT\)$/,
	'gpu-selftest': /^How these are computed$/
};

/** The job's results as its tool draws them: its own headings and conventions, and none of the fallback's. */
async function expectToolRendering(page: Page, toolId: string, jobId: string): Promise<void> {
	await page.goto(jobUrl(toolId, jobId));
	const job = page.locator(`article[data-job-id="${jobId}"]`);
	await expect(job.getByText('Completed', { exact: true }).first(), `${toolId} job ${jobId}`).toBeVisible({ timeout: 30_000 });
	const results = job.getByRole('region', { name: 'Results' });
	await expect(results.getByRole('heading', { name: LANDMARK[toolId] }).first(), `${toolId}: its own rendering`).toBeVisible();
	await expect(results.getByRole('heading', { name: 'How these are computed' }), `${toolId}: its conventions`).toBeVisible();
	await expect(results.getByText(/no table this page can read|could not be drawn|its raw data is shown/), `${toolId}: no fallback`).toHaveCount(0);
	await expect(results.getByRole('heading', { name: 'Raw result (JSON)' }), `${toolId}: no raw JSON`).toHaveCount(0);
}

interface OutputFile {
	name: string;
	mediaType: string;
	text: string;
}

/** Runs a tool here as a worker would, then records the run as a worker does, in one transaction (no worker or reaper sees it half done). */
async function runAndRecord(user: TestUser, toolId: string, name: string, input: unknown, given: Record<string, unknown> = {}, tool = toolDefinitions[toolId]): Promise<string> {
	const settings = tool.settingsSchema.parse(given);
	const files: OutputFile[] = [];
	let last = '';
	const result = await tool.run(tool.inputSchema.parse(input), settings, {
		signal: new AbortController().signal,
		progress: (pct, message) => void (last = pct >= 100 && message ? `Finished: ${message}` : 'Finished'),
		writeFile: async (file, mediaType, content) => void files.push({ name: file, mediaType, text: String(content) })
	});
	return inTransaction(async (db) => {
		const { rows } = await db.query<{ id: string }>(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input, settings) values ($1, $2, $3, $4, $5, $6) returning id`,
			[user.teamId, toolId, user.id, name, JSON.stringify(input), JSON.stringify(given)]
		);
		const id = rows[0].id;
		await db.query(`update public.jobs set status = 'queued' where id = $1`, [id]);
		await db.query(`update public.jobs set status = 'processing', heartbeat_at = now() where id = $1`, [id]);
		for (const f of files) {
			await addStoredFile({ id, teamId: user.teamId }, { name: f.name, mediaType: f.mediaType, content: f.text }, db);
		}
		await db.query(`update public.jobs set status = 'completed', result = $2, progress_message = $3 where id = $1`, [id, JSON.stringify(result), last]);
		return id;
	});
}

async function demoUser(): Promise<TestUser> {
	const [row] = await sql<{ id: string; team_id: string }>(
		`select u.id, t.id as team_id from auth.users u join public.teams t on t.created_by = u.id and t.personal where u.email = 'demo@foldwork.dev'`
	);
	expect(row, 'the seeded demo login exists').toBeTruthy();
	return { id: row.id, email: 'demo@foldwork.dev', password: 'foldwork-demo', teamId: row.team_id };
}

test('every seeded demo job opens, and each completed one renders as its tool’s results', async ({ page }) => {
	const demo = await demoUser();
	await signIn(page.context(), demo);
	const jobs = await sql<{ id: string; tool_id: string; name: string; status: string }>(
		`select id, tool_id, name, status::text from public.jobs where team_id = $1 order by created_at`,
		[demo.teamId]
	);
	expect(jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['Lysozyme and ubiquitin', 'Globin family against HBA']));
	for (const job of jobs) {
		if (job.status === 'completed') await expectToolRendering(page, job.tool_id, job.id);
		else {
			await page.goto(jobUrl(job.tool_id, job.id));
			await expect(page.getByRole('heading', { level: 2, name: job.name })).toBeVisible();
		}
	}
});

test('every tool’s examples, run through the tool, render as its results', async ({ page, user }) => {
	// Docking and structure analysis run real programs (Open Babel, Vina, mkdssp).
	test.setTimeout(300_000);
	const jobs: Array<{ toolId: string; id: string }> = [];
	const standin = await startEsmfoldStandin({ maxLength: 1000 });
	try {
		const model = createStructurePredictionTool(() => ({ url: standin.url, requestTimeoutMs: 30_000 }));
		for (const entry of toolCatalog.filter((t) => t.enabled)) {
			const spec = toolRegistry[entry.id];
			expect(spec?.examples.length, `${entry.id} has examples`).toBeGreaterThan(0);
			for (const [n, example] of spec.examples.entries()) {
				const parsed = await spec.parseInput({ text: example.text, fields: example.fields });
				if (!parsed.ok) throw new Error(`${entry.id} example ${n + 1} does not parse: ${JSON.stringify(parsed.errors)}`);
				// Docking at the lowest exhaustiveness: the shape of its result does not depend on it.
				const settings = entry.id === 'docking' ? { exhaustiveness: 1 } : {};
				const tool = entry.id === 'structure-prediction' ? model : toolDefinitions[entry.id];
				jobs.push({ toolId: entry.id, id: await runAndRecord(user, entry.id, `${entry.name} example ${n + 1}`, parsed.input, settings, tool) });
			}
		}
	} finally {
		await standin.close();
	}
	expect(new Set(jobs.map((j) => j.toolId)).size).toBe(toolCatalog.filter((t) => t.enabled).length);
	for (const job of jobs) await expectToolRendering(page, job.toolId, job.id);
});

test('protein properties lead with the key figures, with their units and conditions, and say how they are computed', async ({ page, user }) => {
	const id = await runAndRecord(user, 'protein-properties', 'Insulin A at pH 7.4', { sequences: [{ id: 'INS_A', sequence: HUMAN_INSULIN_A }] }, { pH: 7.4 });
	await page.goto(jobUrl('protein-properties', id));
	const results = page.getByRole('region', { name: 'Results' });
	// The first thing under Results.
	await expect(results.getByRole('heading', { level: 4 }).first()).toHaveText('Key figures of INS_A');
	const key = results.getByRole('table', { name: 'Key figures of INS_A' });
	const value = (heading: string | RegExp) => key.getByRole('row', { name: heading }).getByRole('cell');
	await expect(value(/^Theoretical pI/)).toHaveText(/^3\.79\d*$/);
	await expect(value(/^Net charge at pH 7\.4/)).toHaveText(/^-\d/);
	await expect(key.getByRole('rowheader', { name: 'Average mass (Da)' })).toBeVisible();
	await expect(key.getByRole('rowheader', { name: /^Extinction coefficient at 280 nm in water, Cys reduced \(M⁻¹ cm⁻¹\)$/ })).toBeVisible();
	await expect(value(/^Stability/)).toHaveText(/^(stable|unstable)$/);
	// Composition has a table of its own, "A (%)" and not "A % (%)".
	const composition = results.getByRole('table', { name: 'Amino-acid composition in mole percent of INS_A' });
	await expect(composition.getByRole('rowheader', { name: 'C (%)', exact: true })).toBeVisible();
	await expect(composition.getByRole('row', { name: /^C \(%\)/ }).getByRole('cell')).toHaveText('19.05');
	await expect(results.getByRole('region', { name: 'How these are computed' })).toContainText('insulin A chain it reports 4.05 where this tool reports 3.795');
	// The key figures come before the composition, which comes before the rest.
	const top = async (locator: Locator) => (await locator.boundingBox())!.y;
	expect(await top(key)).toBeLessThan(await top(composition));
	expect(await top(composition)).toBeLessThan(await top(results.getByRole('heading', { name: 'More properties of INS_A' })));
});

test('an alignment reads first at full width, its EMBOSS header after it and the statistics last', async ({ page, user }) => {
	const id = await runAndRecord(user, 'pairwise-alignment', 'Insulin B against a mutant', {
		query: { id: 'INS_B', sequence: 'FVNQHLCGSHLVEALYLVCGERGFFYTPKT' },
		targets: [{ id: 'INS_B_MUT', sequence: 'FVNQHLCGSHLVEALYLVCGERGFFYTPKA' }]
	});
	await page.goto(jobUrl('pairwise-alignment', id));
	const results = page.getByRole('region', { name: 'Results' });
	const aligned = results.getByLabel('Alignment of INS_B and INS_B_MUT', { exact: true });
	await expect(aligned).toContainText('INS_B');
	await expect(aligned).not.toContainText('# Aligned_sequences');
	const header = results.getByLabel('EMBOSS header of the alignment of INS_B and INS_B_MUT', { exact: true });
	await expect(header).toContainText('# Identity:      29/30 (96.7%)');
	await expect(results.getByText('Score 163 · identity 29/30 (96.7 %) · similarity 29/30 (96.7 %) · gaps 0/30 (0.0 %)')).toBeVisible();
	const box = async (locator: Locator) => (await locator.boundingBox())!;
	expect((await box(aligned)).y).toBeLessThan((await box(header)).y);
	expect((await box(header)).y).toBeLessThan((await box(results.getByRole('heading', { name: 'Statistics' }))).y);
	// The aligned blocks use the width of the results, not a narrow box.
	expect((await box(aligned)).width).toBeGreaterThan(0.9 * (await box(results)).width - 64);
	// One target: its statistics read down the page.
	const stats = results.getByRole('table', { name: 'Alignment scores and statistics, by target' });
	await expect(stats.getByRole('row', { name: /^Identity \(%\)/ }).getByRole('cell')).toHaveText('96.7');
});

test('a few proteins read down the page, a column each, so no key figure is off to the side at 375 px', async ({ page, user }) => {
	const id = await runAndRecord(user, 'protein-properties', 'Two insulin chains', {
		sequences: [{ id: 'INS_A', sequence: HUMAN_INSULIN_A }, { id: 'INS_B', sequence: 'FVNQHLCGSHLVEALYLVCGERGFFYTPKT' }]
	});
	await page.setViewportSize({ width: 375, height: 800 });
	await page.goto(jobUrl('protein-properties', id));
	const key = page.getByRole('table', { name: 'Key figures, a column per sequence' });
	await expect(key.getByRole('columnheader', { name: 'INS_B' })).toBeVisible({ timeout: 30_000 });
	for (const heading of ['Theoretical pI', 'Net charge at pH 7.0', 'Aliphatic index']) {
		const line = key.getByRole('row', { name: new RegExp(`^${heading.replace(/[().]/g, '\\$&')}`) });
		await expect(line.getByRole('cell')).toHaveCount(2);
	}
	// Nothing scrolls sideways: the table fits the screen.
	expect(await key.evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth)).toBe(true);
});
