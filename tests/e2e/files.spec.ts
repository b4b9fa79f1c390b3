// /app/files: every input and output file of the team's jobs, filtered,
// searched and paged; previews by type (table, text, 3D, 2D) in a dialog;
// downloads. Output files come from a real protein-properties run on the
// CPU worker (it writes hydropathy.csv); the others are added with SQL.
import { HEN_LYSOZYME, HUMAN_INSULIN_A } from '../../src/lib/tools/well-known-sequences.ts';
import { addStoredFile, expect, sql, submitJob, test, waitForJob, type TestUser } from './fixtures.ts';
import type { Page } from '@playwright/test';

async function runProteinProperties(user: TestUser, name: string): Promise<string> {
	const input = { sequences: [{ id: 'lysozyme', sequence: HEN_LYSOZYME }, { id: 'insulin_a', sequence: HUMAN_INSULIN_A }] };
	const id = await submitJob(user, name, { input });
	await waitForJob(id);
	return id;
}

async function addFile(jobId: string, name: string, mediaType: string, content: string): Promise<string> {
	const [job] = await sql<{ team_id: string }>('select team_id from public.jobs where id = $1', [jobId]);
	return addStoredFile({ id: jobId, teamId: job.team_id }, { name, mediaType, content });
}

const rowOf = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

const PDB = [
	'ATOM      1  N   GLY A   1      -1.204   0.000   0.000  1.00 90.00           N',
	'ATOM      2  CA  GLY A   1       0.000   0.000   0.000  1.00 90.00           C',
	'ATOM      3  C   GLY A   1       1.200   0.900   0.000  1.00 90.00           C',
	'ATOM      4  O   GLY A   1       1.100   2.100   0.000  1.00 90.00           O',
	'ATOM      5  N   ALA A   2       2.400   0.300   0.000  1.00 90.00           N',
	'ATOM      6  CA  ALA A   2       3.600   1.100   0.000  1.00 90.00           C',
	'END',
	''
].join('\n');

test('lists the inputs and outputs of the team’s jobs, and filters and searches them', async ({ page, user }) => {
	const jobId = await runProteinProperties(user, 'Files list run');
	await page.goto('/app/files');
	await expect(page.getByRole('heading', { name: 'Files', level: 1 })).toBeVisible();

	const output = rowOf(page, 'hydropathy.csv');
	await expect(output).toContainText('Output');
	await expect(output).toContainText('CSV');
	await expect(output).toContainText('Protein properties');
	await expect(output.getByRole('link', { name: 'Files list run' })).toHaveAttribute('href', `/app/tools/protein-properties?jobId=${jobId}`);
	const input = rowOf(page, 'Files list run-input.fasta');
	await expect(input).toContainText('Input');
	await expect(input).toContainText('FASTA');
	await expect(page.getByRole('status').filter({ hasText: /files?/ })).toHaveText(/2 files/);

	await page.getByLabel('Kind').selectOption('output');
	await expect(page).toHaveURL(/kind=output/);
	await expect(rowOf(page, 'Files list run-input.fasta')).toHaveCount(0);
	await expect(rowOf(page, 'hydropathy.csv')).toBeVisible();

	await page.getByLabel('Kind').selectOption('all');
	await page.getByLabel('Type').selectOption('fasta');
	await expect(rowOf(page, 'hydropathy.csv')).toHaveCount(0);
	await expect(rowOf(page, 'Files list run-input.fasta')).toBeVisible();

	await page.getByLabel('Type').selectOption('');
	// Searching as one types: the page follows once typing pauses, not at every key, and the box keeps the focus.
	const searched = new Set<string>();
	page.on('request', (request) => {
		const url = new URL(request.url());
		if (url.pathname.startsWith('/app/files') && url.searchParams.has('q')) searched.add(url.searchParams.get('q')!);
	});
	await page.getByLabel('Search by name').pressSequentially('hydro', { delay: 40 });
	await expect(page).toHaveURL(/q=hydro/);
	await expect(page.getByLabel('Search by name')).toBeFocused();
	expect(searched.size, `searched for ${[...searched].join(', ')}`).toBeLessThan(5);
	await expect(rowOf(page, 'hydropathy.csv')).toBeVisible();
	await expect(rowOf(page, 'Files list run-input.fasta')).toHaveCount(0);

	await page.getByLabel('Search by name').fill('no such file');
	await page.getByRole('button', { name: 'Search' }).click();
	await expect(page.getByText('No files match these filters.')).toBeVisible();
	await page.getByRole('link', { name: 'Clear the filters' }).click();
	await expect(rowOf(page, 'hydropathy.csv')).toBeVisible();
});

test('says so when the team has no files yet', async ({ page }) => {
	await page.goto('/app/files');
	await expect(page.getByText('No files yet.')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Run a tool' })).toHaveAttribute('href', '/app/tools');
});

test('previews CSV as a table, FASTA as text, structures in 3D and molecules in 2D', async ({ page, user }) => {
	// 3Dmol.js and RDKit's WebAssembly load on first use: slow on a busy machine.
	test.setTimeout(150_000);
	const jobId = await runProteinProperties(user, 'Preview run');
	await addFile(jobId, 'model.pdb', 'chemical/x-pdb', PDB);
	await addFile(jobId, 'ligands.smi', 'chemical/x-daylight-smiles', 'CCO ethanol\nc1ccccc1 benzene\n');
	await page.goto('/app/files');

	const previewButton = page.getByRole('button', { name: 'Preview hydropathy.csv' });
	await previewButton.click();
	const dialog = page.getByRole('dialog', { name: 'hydropathy.csv' });
	await expect(dialog).toBeVisible();
	await expect(dialog.getByRole('columnheader', { name: 'hydropathy' })).toBeVisible();
	await expect(dialog.getByRole('row').nth(1)).toContainText('lysozyme');
	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(previewButton).toBeFocused();

	await page.getByRole('button', { name: 'Preview Preview run-input.fasta' }).click();
	const fasta = page.getByRole('dialog', { name: 'Preview run-input.fasta' }).getByRole('region', { name: 'Contents of Preview run-input.fasta' });
	await expect(fasta).toContainText('>lysozyme');
	await expect(fasta).toContainText(HEN_LYSOZYME.slice(0, 60));
	await page.getByRole('button', { name: 'Close' }).click();

	await page.getByRole('button', { name: 'Preview model.pdb' }).click();
	const structure = page.getByRole('dialog', { name: 'model.pdb' });
	await expect(structure.getByRole('img', { name: /3D view of model\.pdb/ })).toBeVisible();
	// Drawn (WebGL) or, in a browser without WebGL, a message that says why not.
	await expect(structure.locator('[data-ready="true"] canvas').or(structure.getByText(/WebGL/))).toBeVisible({ timeout: 20_000 });
	await page.keyboard.press('Escape');

	await page.getByRole('button', { name: 'Preview ligands.smi' }).click();
	const molecules = page.getByRole('dialog', { name: 'ligands.smi' });
	await expect(molecules.getByRole('img', { name: '2D structure of ethanol' })).toBeVisible({ timeout: 30_000 });
	await expect(molecules.getByRole('img', { name: '2D structure of benzene' })).toBeVisible();
	await expect(molecules.getByRole('img', { name: '2D structure of ethanol' }).locator('svg')).toBeVisible();
});

test('shows the first 256 KiB of a large text file and says how much is left', async ({ page, user }) => {
	const jobId = await runProteinProperties(user, 'Large file run');
	const line = '>seq\n' + 'ACGT'.repeat(25) + '\n';
	await addFile(jobId, 'big.fasta', 'text/x-fasta', line.repeat(4000)); // about 420 KiB
	await page.goto('/app/files');
	await page.getByRole('button', { name: 'Preview big.fasta' }).click();
	const dialog = page.getByRole('dialog', { name: 'big.fasta' });
	await expect(dialog.getByRole('note')).toContainText(/Showing the first 25\d KiB of 41\d KiB/);
});

test('pages through many files, newest first', async ({ page, user }) => {
	const jobId = await runProteinProperties(user, 'Many files run');
	await sql(
		`insert into public.job_files (job_id, kind, name, media_type, content, created_at)
		 select $1, 'output', format('part-%s.txt', lpad(i::text, 2, '0')), 'text/plain', convert_to('part ' || i, 'utf8'), now() + i * interval '1 second'
		 from generate_series(1, 30) i`,
		[jobId]
	);
	await page.goto('/app/files');
	await expect(page.getByRole('status').filter({ hasText: /files?/ })).toHaveText(/32 files/);
	const names = page.getByRole('rowheader');
	await expect(names).toHaveCount(25);
	await expect(names.first()).toHaveText('part-30.txt');
	await expect(page.getByRole('link', { name: '← Newer files' })).toHaveCount(0);

	await page.getByRole('link', { name: 'Older files →' }).click();
	await expect(names).toHaveCount(7);
	await expect(names.first()).toHaveText('part-05.txt');
	await expect(page.getByRole('rowheader', { name: 'hydropathy.csv' })).toBeVisible();
	await expect(page.getByRole('rowheader', { name: 'Many files run-input.fasta' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Older files →' })).toHaveCount(0);

	await page.getByRole('link', { name: '← Newer files' }).click();
	await expect(names).toHaveCount(25);
	await expect(names.first()).toHaveText('part-30.txt');
});

test('downloads a job’s input, built from the job', async ({ page, user }) => {
	await runProteinProperties(user, 'Download run');
	await page.goto('/app/files');
	const size = rowOf(page, 'Download run-input.fasta').getByRole('cell').nth(2);
	const downloading = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Download Download run-input.fasta' }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('Download run-input.fasta');
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	const text = Buffer.concat(chunks).toString('utf8');
	expect(text.startsWith('>lysozyme\n' + HEN_LYSOZYME.slice(0, 60) + '\n')).toBe(true);
	expect(text).toContain('>insulin_a\n' + HUMAN_INSULIN_A + '\n');
	// The list gave the input its real size: the bytes the download holds, not a dash.
	await expect(size).toHaveText(`${Buffer.byteLength(text)} B`);
});

test('the table fits a 1280 px window with long file and job names', async ({ page, user }) => {
	await page.setViewportSize({ width: 1280, height: 800 });
	const longName = 'Kinase-inhibitor-screen-against-the-ATP-pocket-of-CDK2-with-the-whole-Enamine-fragment-library-round3';
	const jobId = await submitJob(user, longName);
	await addFile(jobId, `${'docked_pose_of_ligand_with_a_very_long_identifier_'.repeat(4)}.sdf`, 'chemical/x-mdl-sdfile', 'x\n');
	await page.goto('/app/files');
	await expect(rowOf(page, `${longName}-input.fasta`)).toBeVisible();
	const wrap = page.locator('.table-wrap');
	const widths = await wrap.evaluate((el) => ({ table: el.scrollWidth, box: el.clientWidth, page: document.documentElement.scrollWidth }));
	expect(widths.table, 'the table scrolls sideways inside its box').toBeLessThanOrEqual(widths.box);
	expect(widths.page, 'the page scrolls sideways').toBeLessThanOrEqual(1280);
	// Every column, the actions included, is inside the window.
	const download = page.getByRole('button', { name: `Download ${longName}-input.fasta` });
	const box = await download.boundingBox();
	expect(box && box.x + box.width).toBeLessThanOrEqual(1280);
});

test('downloads a stored output file', async ({ page, user }) => {
	const jobId = await runProteinProperties(user, 'Output download run');
	const [file] = await sql<{ id: string }>(`select id from public.job_files where job_id = $1 and name = 'hydropathy.csv'`, [jobId]);
	await page.goto('/app/files');
	const link = page.getByRole('link', { name: 'Download hydropathy.csv' });
	await expect(link).toHaveAttribute('href', `/app/files/${file.id}/download`);
	// The endpoint itself is /app/files/[fileId]/download/+server.ts.
	const downloading = page.waitForEvent('download');
	await link.click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe('hydropathy.csv');
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^id,position,hydropathy\r\nlysozyme,/);
});
