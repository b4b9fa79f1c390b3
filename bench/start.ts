// `npm run bench:start`: how long `npm start` takes to be ready, with and
// without a rebuild of the web app, and what the first load of the jobs
// page and of a tool page costs in the production server (JavaScript bytes,
// time until the page has hydrated in Chromium). Medians.
//
//   BENCH_RUNS=5 (starts without rebuild; page loads per page)
//   BENCH_REBUILDS=3 (starts after a source change)
import { mkdtempSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createServerClient } from '@supabase/ssr';
import { projectRoot } from '../supabase/local/config.ts';
import { startPlatform, type RunningPlatform } from '../tests/helpers/platform.ts';
import { median } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REBUILDS = Number(process.env.BENCH_REBUILDS ?? 3);
const GOALS = { readyNoRebuildS: 5 };

const dir = mkdtempSync('/tmp/foldwork-bench-start-');
chmodSync(dir, 0o755);
const dataDir = path.join(dir, 'postgres');
const logFile = path.join(dir, 'start.log');

async function timedStart(): Promise<{ platform: RunningPlatform; readyS: number; firstPageS: number }> {
	const platform = await startPlatform({ logFile, dataDir });
	const t = performance.now();
	const res = await fetch(`${platform.info.webUrl}/login`);
	await res.text();
	return { platform, readyS: platform.readyMs / 1000, firstPageS: (platform.readyMs + performance.now() - t) / 1000 };
}

const fmt = (s: number) => `${s.toFixed(2)} s`;

// A start first, untimed: it creates the database and makes sure a build of the current sources exists.
await (await startPlatform({ logFile, dataDir })).stop();

const ready: number[] = [];
const firstPage: number[] = [];
let platform: RunningPlatform | null = null;
for (let i = 0; i < RUNS; i++) {
	const run = await timedStart();
	ready.push(run.readyS);
	firstPage.push(run.firstPageS);
	if (i < RUNS - 1) await run.platform.stop();
	else platform = run.platform;
}
console.log(`npm start, no source changed: ready ${fmt(median(ready))}, first page served ${fmt(median(firstPage))} (median of ${RUNS}; goal: ready under ${GOALS.readyNoRebuildS} s, ${(median(ready) / GOALS.readyNoRebuildS).toFixed(2)}x of it)`);

// Page weight and time to hydrated, signed in as the demo user, each load in a fresh browser context (cold cache).
const info = platform!.info;
const jar = new Map<string, string>();
const supabase = createServerClient(info.apiUrl, info.anonKey, {
	cookies: { getAll: () => [...jar].map(([name, value]) => ({ name, value })), setAll: (c) => c.forEach(({ name, value }) => jar.set(name, value)) }
});
const { error } = await supabase.auth.signInWithPassword({ email: 'demo@foldwork.dev', password: 'foldwork-demo' });
if (error) throw error;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync']
});
for (const page of ['/app/jobs', '/app/tools/protein-properties']) {
	const decoded: number[] = [];
	const transferred: number[] = [];
	const hydrated: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const context = await browser.newContext({ baseURL: info.webUrl });
		await context.addCookies([...jar].map(([name, value]) => ({ name, value, url: info.webUrl })));
		const tab = await context.newPage();
		await tab.goto(page);
		await tab.locator('html[data-hydrated]').waitFor({ state: 'attached' });
		hydrated.push(await tab.evaluate(() => performance.now()));
		await tab.waitForLoadState('networkidle');
		// Every script the page loaded (modules, preloads, lazy chunks), from the browser's own resource timing.
		const js = await tab.evaluate(() =>
			performance
				.getEntriesByType('resource')
				.filter((e) => /\.m?js(\?|$)/.test(e.name))
				.map((e) => e as PerformanceResourceTiming)
				.reduce((sum, e) => ({ decoded: sum.decoded + e.decodedBodySize, transferred: sum.transferred + e.encodedBodySize }), { decoded: 0, transferred: 0 })
		);
		decoded.push(js.decoded);
		transferred.push(js.transferred);
		await context.close();
	}
	const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
	console.log(`${page}: ${kib(median(decoded))} of JavaScript (${kib(median(transferred))} compressed over the wire), hydrated ${median(hydrated).toFixed(0)} ms after navigation started (median of ${RUNS}, cold cache)`);
}
await browser.close();
await platform!.stop();

// A source change: the build is redone before the server starts.
const rebuilt: number[] = [];
for (let i = 0; i < REBUILDS; i++) {
	const touched = path.join(projectRoot, 'src', 'lib', `bench-rebuild-${process.pid}.ts`);
	writeFileSync(touched, `// bench:start changes the sources (${Date.now()}); removed when it ends\nexport {};\n`);
	try {
		const run = await timedStart();
		rebuilt.push(run.readyS);
		await run.platform.stop();
	} finally {
		rmSync(touched, { force: true });
	}
}
console.log(`npm start after a source change (web app rebuilt): ready ${fmt(median(rebuilt))} (median of ${REBUILDS}); ${(median(rebuilt) / median(ready)).toFixed(1)}x a start without rebuild`);
rmSync(dir, { recursive: true, force: true });
