// Job files in Storage from the browser: a 20 MB structure file uploaded
// from the tool form goes to Storage before submit_job (the input carries a
// reference, the database none of its bytes), the worker streams it and
// runs the job; the job page previews the head of the big input (a Range
// read, not the whole file) and downloads an output. The team page shows
// the team's storage use. A visitor without an account downloads a public
// job's file through a signed URL (the bucket is not readable by path for
// them).
import type { Page } from '@playwright/test';
import { addStoredFile, anonymousTest, createUser, expect, sql, test, waitForJob } from './fixtures.ts';

const runButton = (page: Page) => page.getByRole('button', { name: 'Run', exact: true });

/** A small helix padded with REMARK lines to about 20 MB: big to move, quick to analyse. */
function bigStructure(): Buffer {
	const atoms: string[] = [];
	let serial = 1;
	for (let i = 0; i < 6; i++) {
		for (const [name, radius, offset, dz] of [
			['N', 1.55, -28, -0.9],
			['CA', 2.3, 0, 0],
			['C', 1.65, 28, 0.95],
			['O', 1.9, 40, 2.0]
		] as Array<[string, number, number, number]>) {
			const angle = ((i * 100 + offset) * Math.PI) / 180;
			const [x, y, z] = [radius * Math.cos(angle), radius * Math.sin(angle), i * 1.5 + dz];
			atoms.push(
				`ATOM  ${String(serial++).padStart(5)}  ${name.padEnd(3)} ALA A${String(i + 1).padStart(4)}    ${x.toFixed(3).padStart(8)}${y.toFixed(3).padStart(8)}${z.toFixed(3).padStart(8)}  1.00 20.00           ${name}`
			);
		}
	}
	const remark = 'REMARK 999 PADDING LINE OF A LARGE STRUCTURE FILE FOR THE STORAGE TEST ...............';
	const padding = Array.from({ length: Math.ceil((20 * 1024 * 1024) / (remark.length + 1)) }, () => remark);
	return Buffer.from(['HEADER    STORAGE TEST', ...padding, ...atoms, 'TER', 'END', ''].join('\n'));
}

test('uploads a 20 MB structure as input, runs it, previews the head of the big file and downloads an output', async ({ page, user }) => {
	test.setTimeout(180_000);
	const structure = bigStructure();
	await page.goto('/app/tools/structure-analysis');
	await page.getByLabel('Upload PDB or mmCIF files').setInputFiles({ name: 'big-helix.pdb', mimeType: 'chemical/x-pdb', buffer: structure });
	await expect(page.getByRole('list', { name: 'Files to run' }).getByText('big-helix.pdb', { exact: true })).toBeVisible({ timeout: 30_000 });
	await expect(runButton(page)).toBeEnabled({ timeout: 30_000 });
	await runButton(page).click();
	await expect(page).toHaveURL(/jobId=/, { timeout: 60_000 });
	const jobId = new URL(page.url()).searchParams.get('jobId')!;
	await waitForJob(jobId);

	// The input holds a reference; the bytes went to Storage, into the job's own folder, and no row holds them.
	const [job] = await sql<{ input: { structures: Array<{ content: unknown }> } }>('select input from public.jobs where id = $1', [jobId]);
	expect(job.input.structures[0].content).toEqual({ $file: 'big-helix.pdb' });
	const files = await sql<{ kind: string; name: string; size_bytes: string; storage_path: string; content: null }>(
		'select kind, name, size_bytes, storage_path, content from public.job_files where job_id = $1 order by kind, name',
		[jobId]
	);
	expect(files[0]).toMatchObject({ kind: 'input', name: 'big-helix.pdb', size_bytes: String(structure.length), content: null });
	expect(files[0].storage_path).toBe(`${user.teamId}/${jobId}/input/big-helix.pdb`);
	expect(files.map((f) => f.name)).toContain('chains.fasta');
	const [object] = await sql<{ size: string }>(`select metadata->>'size' as size from storage.objects where bucket_id = 'job-files' and name = $1`, [files[0].storage_path]);
	expect(object.size).toBe(String(structure.length));

	// The job page: the head of the 20 MB input, read with a Range request.
	const table = page.getByRole('table', { name: 'Files of this job' });
	await expect(table.getByRole('cell', { name: 'big-helix.pdb', exact: true })).toBeVisible({ timeout: 30_000 });
	const ranged = page.waitForResponse((r) => r.url().includes('/storage/v1/object/sign/job-files/') && r.status() === 206);
	await table.getByRole('button', { name: 'Preview big-helix.pdb' }).click();
	const response = await ranged;
	expect(Number(response.headers()['content-length'])).toBeLessThanOrEqual(64 * 1024);
	await expect(page.getByLabel('First lines of big-helix.pdb')).toContainText('HEADER    STORAGE TEST');
	await expect(page.getByText(/First \d+ lines of 20(\.\d)? MiB/)).toBeVisible();

	// An output, downloaded.
	const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('link', { name: 'Download chains.fasta' }).click()]);
	expect(download.suggestedFilename()).toBe('chains.fasta');
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^>big-helix_A[^\n]*\nAAAAAA\n/);

	// The team page counts it.
	await page.goto('/app/team');
	await expect(page.getByRole('region', { name: 'Storage' })).toContainText(/20(\.\d)? MiB of/);
});

anonymousTest('a visitor with a public job\'s link downloads its file through a signed URL', async ({ page }) => {
	const owner = await createUser({ name: 'Owner Person' });
	const [{ id: jobId }] = await sql<{ id: string }>(
		`insert into public.jobs (team_id, tool_id, submitted_by, name, input, visibility) values ($1, 'gpu-selftest', $2, 'Public files', $3, 'public') returning id`,
		[owner.teamId, owner.id, JSON.stringify({ sequences: [{ id: 's1', sequence: 'MKVL' }] })]
	);
	await addStoredFile({ id: jobId, teamId: owner.teamId }, { name: 'report.txt', mediaType: 'text/plain', content: 'public report\n' });
	await page.goto(`/app/tools/gpu-selftest?jobId=${jobId}`);
	const table = page.getByRole('table', { name: 'Files of this job' });
	const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button', { name: 'Download report.txt' }).click()]);
	expect(download.url()).toContain('/storage/v1/object/sign/job-files/');
	expect(download.suggestedFilename()).toBe('report.txt');
	const chunks: Buffer[] = [];
	for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
	expect(Buffer.concat(chunks).toString('utf8')).toBe('public report\n');
});
