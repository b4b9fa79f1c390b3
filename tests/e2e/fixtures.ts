// Playwright fixtures: users created through the Auth admin API and signed in
// by setting the session cookies @supabase/ssr would set (STYLE.md: log in by
// setting the session; only the login page's own test types a password).
import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page, type Response } from '@playwright/test';
import { createServerClient } from '@supabase/ssr';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { HEN_LYSOZYME } from '#lib/tools/well-known-sequences.ts';
import { fetchFrom, randomLoopbackAddress } from '../helpers/loopback.ts';
import { e2eInfo } from './env.ts';

export { expect };

export interface TestUser {
	id: string;
	email: string;
	password: string;
	/** The user's personal team (created by the database on sign-up). */
	teamId: string;
}

export function uniqueEmail(prefix = 'e2e'): string {
	return `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
}

export function serviceClient(): SupabaseClient {
	const info = e2eInfo();
	return createClient(info.apiUrl, info.serviceRoleKey, { auth: { persistSession: false, autoRefreshToken: false } });
}

/**
 * Requests the tests make to the API leave from a loopback address of this
 * test worker's own: Auth rate-limits sign-ins per client address (as hosted
 * Supabase does), and the browser and the web server already use 127.0.0.1.
 */
const apiFetch = fetchFrom(randomLoopbackAddress());

/** A supabase-js client signed in as `user` (to seed through the API as that person). */
export async function clientFor(user: TestUser): Promise<SupabaseClient> {
	const info = e2eInfo();
	const client = createClient(info.apiUrl, info.anonKey, { auth: { persistSession: false, autoRefreshToken: false }, global: { fetch: apiFetch } });
	const { error } = await client.auth.signInWithPassword({ email: user.email, password: user.password });
	if (error) throw error;
	return client;
}

/** Superuser SQL on the e2e database, for setting up states no API offers (e.g. a large balance). */
/** Runs `work` in one transaction on its own connection: nothing outside sees it half done. */
export async function inTransaction<T>(work: (db: pg.Client) => Promise<T>): Promise<T> {
	const db = new pg.Client({ connectionString: e2eInfo().databaseUrl });
	await db.connect();
	try {
		await db.query('begin');
		const out = await work(db);
		await db.query('commit');
		return out;
	} catch (e) {
		await db.query('rollback');
		throw e;
	} finally {
		await db.end();
	}
}

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
	const client = new pg.Client({ connectionString: e2eInfo().databaseUrl });
	await client.connect();
	try {
		return (await client.query<T>(text, params)).rows;
	} finally {
		await client.end();
	}
}

/**
 * A job file as the worker fleet stores it: its bytes in the job-files
 * bucket (service role) at the job's folder, its metadata and SHA-256 in
 * public.job_files. `db` inserts the row inside a caller's transaction.
 */
export async function addStoredFile(
	job: { id: string; teamId: string },
	file: { kind?: 'input' | 'output'; name: string; mediaType: string; content: string | Buffer },
	db?: pg.ClientBase
): Promise<string> {
	const kind = file.kind ?? 'output';
	const bytes = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
	const key = file.name.replace(/[^A-Za-z0-9._-]+/g, '_');
	const path = `${job.teamId}/${job.id}/${kind}/${key}`;
	const { error } = await serviceClient().storage.from('job-files').upload(path, bytes, { contentType: file.mediaType, upsert: true });
	if (error) throw error;
	const text = `insert into public.job_files (job_id, kind, name, media_type, size_bytes, sha256, storage_path) values ($1, $2, $3, $4, $5, $6, $7) returning id`;
	const params = [job.id, kind, file.name, file.mediaType, bytes.length, createHash('sha256').update(bytes).digest('hex'), path];
	const rows = db ? (await db.query<{ id: string }>(text, params)).rows : await sql<{ id: string }>(text, params);
	return rows[0].id;
}

export async function createUser(options: { email?: string; password?: string; name?: string } = {}): Promise<TestUser> {
	const email = options.email ?? uniqueEmail();
	const password = options.password ?? `pw-${randomUUID()}`;
	const { data, error } = await serviceClient().auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: options.name ? { display_name: options.name } : undefined
	});
	if (error) throw error;
	const [team] = await sql<{ team_id: string }>(
		`select m.team_id from public.team_members m join public.teams t on t.id = m.team_id where m.user_id = $1 and t.personal`,
		[data.user.id]
	);
	return { id: data.user.id, email, password, teamId: team.team_id };
}

export interface JobToSubmit {
	/** protein-properties unless told otherwise. */
	tool?: string;
	/** Hen lysozyme unless told otherwise. */
	input?: unknown;
	settings?: unknown;
}

/** Submits a job through the API, as the app would, with a client signed in as a member of `teamId`; returns its id. */
export async function submitJobAs(client: SupabaseClient, teamId: string, name: string, job: JobToSubmit = {}): Promise<string> {
	const { data, error } = await client.rpc('submit_job', {
		tool_id: job.tool ?? 'protein-properties',
		name,
		input: job.input ?? { sequences: [{ id: 'lysozyme', sequence: HEN_LYSOZYME }] },
		settings: job.settings ?? {},
		team_id: teamId
	});
	if (error) throw error;
	return (data as { id: string }).id;
}

/** Submits a job as `user` in their personal team; returns its id. */
export async function submitJob(user: TestUser, name: string, job: JobToSubmit = {}): Promise<string> {
	return submitJobAs(await clientFor(user), user.teamId, name, job);
}

/** Waits until the job has reached `status` (the CPU worker takes a second or two for protein properties). */
export async function waitForJob(jobId: string, status = 'completed'): Promise<void> {
	await expect
		.poll(async () => (await sql<{ status: string }>('select status from public.jobs where id = $1', [jobId]))[0]?.status, { timeout: 30_000, message: `job ${jobId} becomes ${status}` })
		.toBe(status);
}

/** Puts `user`'s session cookies into the browser context, as the app's server client would. */
export async function signIn(context: BrowserContext, user: TestUser): Promise<void> {
	const info = e2eInfo();
	const jar = new Map<string, string>();
	const supabase = createServerClient(info.apiUrl, info.anonKey, {
		global: { fetch: apiFetch },
		cookies: {
			getAll: () => [...jar].map(([name, value]) => ({ name, value })),
			setAll: (cookies) => {
				for (const { name, value } of cookies) jar.set(name, value);
			}
		}
	});
	const { error } = await supabase.auth.signInWithPassword({ email: user.email, password: user.password });
	if (error) throw error;
	await context.addCookies([...jar].map(([name, value]) => ({ name, value, url: info.webUrl, sameSite: 'Lax' as const })));
}

const hydrationAware = new WeakSet<Page>();

/**
 * Makes loading a page (goto, reload, back, forward) wait until the app has
 * hydrated (the root layout marks <html data-hydrated>): a click, a typed
 * value or a chosen file that lands before then reaches no handler and is lost.
 */
function waitForHydrationOnLoad(context: BrowserContext): void {
	const patch = (page: Page) => {
		if (hydrationAware.has(page)) return;
		hydrationAware.add(page);
		const hydrated = async (response: Response | null) => {
			if (response?.headers()['content-type']?.startsWith('text/html')) {
				await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 15_000 });
			}
			return response;
		};
		const [goto, reload, goBack, goForward] = [page.goto.bind(page), page.reload.bind(page), page.goBack.bind(page), page.goForward.bind(page)];
		page.goto = async (url, options) => hydrated(await goto(url, options));
		page.reload = async (options) => hydrated(await reload(options));
		page.goBack = async (options) => hydrated(await goBack(options));
		page.goForward = async (options) => hydrated(await goForward(options));
	};
	context.pages().forEach(patch);
	context.on('page', patch);
}

/** A second browser (another person, or someone signed out) on the web app; pages wait for hydration as the test's own do. */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
	const context = await browser.newContext({ baseURL: e2eInfo().webUrl, ...options });
	waitForHydrationOnLoad(context);
	return context;
}

interface Fixtures {
	/** A fresh, confirmed user with a personal team and its starting credits. */
	user: TestUser;
	/** A page signed in as `user`, with baseURL set to the web app. */
	page: Page;
}

export const test = base.extend<Fixtures>({
	baseURL: async ({}, use) => use(e2eInfo().webUrl),
	context: async ({ context }, use) => {
		waitForHydrationOnLoad(context);
		await use(context);
	},
	user: async ({}, use) => use(await createUser()),
	page: async ({ page, context, user }, use) => {
		await signIn(context, user);
		await use(page);
	}
});

/** A test whose page is not signed in (login page, anonymous visitors). */
export const anonymousTest = base.extend<{}>({
	baseURL: async ({}, use) => use(e2eInfo().webUrl),
	context: async ({ context }, use) => {
		waitForHydrationOnLoad(context);
		await use(context);
	}
});

/**
 * Opens the job menu (three dots) of the named job. A click that lands
 * before the page has hydrated does nothing, so it clicks until the menu
 * shows (an open menu is not clicked again).
 */
export async function openJobMenu(page: Page, jobName: string): Promise<Locator> {
	const menu = page.getByRole('menu');
	await expect(async () => {
		if (!(await menu.isVisible())) await page.getByRole('button', { name: `Actions for ${jobName}`, exact: true }).first().click();
		await expect(menu).toBeVisible({ timeout: 1_000 });
	}).toPass({ timeout: 15_000 });
	return menu;
}
