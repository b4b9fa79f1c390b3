// The team's pages follow its private Realtime topic `team:<id>` (written by
// the database, joined only by the team's members), not postgres_changes:
// the jobs list, the files page, the credits page and the header's balance
// change while open, with nobody reloading. Each test also reads the
// page's websocket frames: it joined `realtime:team:<id>` as a private
// channel and asked for no postgres_changes at all.
import type { Page } from '@playwright/test';
import { HEN_LYSOZYME } from '../../src/lib/tools/well-known-sequences.ts';
import { clientFor, expect, inTransaction, sql, submitJobAs, test } from './fixtures.ts';

/** A priced GPU job: it waits (pending) while no GPU worker runs, as here. */
const PRICED_GPU_JOB = { tool: 'structure-prediction', input: { sequences: [{ id: 'lysozyme', sequence: HEN_LYSOZYME }] } };

/**
 * Ends a job `failed`, as a worker would: the database refunds it. One
 * transaction, so the fleet's reaper never sees a processing job without a
 * heartbeat (it would move it to `retry` between the statements).
 */
async function fail(jobId: string): Promise<void> {
	await inTransaction(async (db) => {
		for (const status of ['queued', 'processing']) await db.query(`update public.jobs set status = $2 where id = $1`, [jobId, status]);
		await db.query(`update public.jobs set status = 'failed', error_message = 'The model server is down' where id = $1`, [jobId]);
	});
}

interface Join {
	topic: string;
	config: { private?: boolean; postgres_changes?: unknown[] };
}

/** Records the page's Realtime joins and which of them the server accepted. */
function watchRealtime(page: Page): { joins: Join[]; accepted: Set<string> } {
	const joins: Join[] = [];
	const accepted = new Set<string>();
	page.on('websocket', (ws) => {
		if (!ws.url().includes('/realtime/v1/websocket')) return;
		const frame = (payload: string | Buffer) => {
			if (typeof payload !== 'string') return null; // binary frames are broadcasts
			const parsed = JSON.parse(payload) as [string | null, string | null, string, string, Record<string, unknown>];
			return { topic: parsed[2], event: parsed[3], payload: parsed[4] };
		};
		ws.on('framesent', ({ payload }) => {
			const f = frame(payload);
			if (f?.event === 'phx_join') joins.push({ topic: f.topic, config: (f.payload.config ?? {}) as Join['config'] });
		});
		ws.on('framereceived', ({ payload }) => {
			const f = frame(payload);
			if (f?.event === 'phx_reply' && (f.payload as { status?: string }).status === 'ok') accepted.add(f.topic);
		});
	});
	return { joins, accepted };
}

async function followsTeamTopic(watch: ReturnType<typeof watchRealtime>, teamId: string): Promise<void> {
	await expect.poll(() => watch.accepted.has(`realtime:team:${teamId}`), { message: 'the team topic joined' }).toBe(true);
	const team = watch.joins.filter((j) => j.topic === `realtime:team:${teamId}`);
	expect(team.length).toBeGreaterThan(0);
	expect(team.every((j) => j.config.private === true)).toBe(true);
	expect(watch.joins.filter((j) => (j.config.postgres_changes ?? []).length > 0)).toEqual([]);
}

const balanceBadge = (page: Page) => page.getByRole('banner').getByRole('link', { name: /credits$/ });

test('the jobs list and the header\'s balance follow the team topic', async ({ page, user }) => {
	const watch = watchRealtime(page);
	await page.goto('/app/jobs');
	await expect(page.getByText('Live updates on')).toBeVisible();
	await followsTeamTopic(watch, user.teamId);
	const before = Number((await balanceBadge(page).textContent())?.match(/\d+/)?.[0]);

	const jobId = await submitJobAs(await clientFor(user), user.teamId, 'Through the team topic', PRICED_GPU_JOB);
	const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'Through the team topic' }) });
	await expect(row.getByText('Pending')).toBeVisible();
	const [{ credits_charged }] = await sql<{ credits_charged: number }>('select credits_charged from public.jobs where id = $1', [jobId]);
	expect(credits_charged).toBeGreaterThan(0);
	await expect(balanceBadge(page)).toHaveText(`${before - credits_charged} credits`);
	// It fails: the row changes, says it was refunded, and the refund comes back.
	await fail(jobId);
	await expect(row.getByText('Failed')).toBeVisible();
	await expect(row).toContainText(`${credits_charged} → refunded`);
	await expect(balanceBadge(page)).toHaveText(`${before} credits`);
});

test('the files page shows a new job\'s input and a new output file as they are written', async ({ page, user }) => {
	const watch = watchRealtime(page);
	await page.goto('/app/files');
	await expect(page.getByText('No files yet.')).toBeVisible();
	await followsTeamTopic(watch, user.teamId);

	// A pending GPU job (no GPU worker runs here): only the live update can bring its input in.
	const jobId = await submitJobAs(await clientFor(user), user.teamId, 'Live files', { tool: 'gpu-selftest', input: { sequences: [{ id: 's1', sequence: 'MKVL' }] } });
	const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
	await expect(rowOf('Live files-input.fasta')).toBeVisible();
	await sql(`insert into public.job_files (job_id, kind, name, media_type, content) values ($1, 'output', 'late.csv', 'text/csv', convert_to('a,b', 'utf8'))`, [jobId]);
	await expect(rowOf('late.csv')).toBeVisible();
	await expect(page.getByRole('status').filter({ hasText: /files?/ })).toHaveText(/2 files/);
});

test('the credits page and the header show a grant and a refund as they happen', async ({ page, user }) => {
	const watch = watchRealtime(page);
	await page.goto('/app/credits');
	await expect(page.getByRole('heading', { name: 'Credits', level: 1 })).toBeVisible();
	await followsTeamTopic(watch, user.teamId);
	const amount = page.getByRole('region', { name: /^Balance of/ }).locator('.amount strong');
	const before = Number(await amount.textContent());

	await sql(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, 25, 'grant', 'A live grant')`, [user.teamId]);
	await expect(amount).toHaveText(String(before + 25));
	await expect(balanceBadge(page)).toHaveText(`${before + 25} credits`);
	await expect(page.getByRole('row').filter({ hasText: 'A live grant' })).toContainText('+25');

	// A job that fails is refunded by the database: the charge and the refund both arrive.
	const jobId = await submitJobAs(await clientFor(user), user.teamId, 'Refunded live', PRICED_GPU_JOB);
	const [{ credits_charged }] = await sql<{ credits_charged: number }>('select credits_charged from public.jobs where id = $1', [jobId]);
	expect(credits_charged).toBeGreaterThan(0);
	await expect(amount).toHaveText(String(before + 25 - credits_charged));
	await fail(jobId);
	await expect(amount).toHaveText(String(before + 25));
	await expect(balanceBadge(page)).toHaveText(`${before + 25} credits`);
	const rows = page.getByRole('row').filter({ hasText: 'Refunded live' });
	await expect(rows.filter({ has: page.getByText('Refund', { exact: true }) })).toContainText(`+${credits_charged}`);
	await expect(rows.filter({ has: page.getByText('Charge', { exact: true }) })).toContainText(`−${credits_charged}`);
});
