// The protections of the served app, in the production server and in the
// dev server alike (playwright.dev.config.ts runs this file too): a form
// posted from another origin is refused, even one on the same host (a
// different port is the same site, so the browser sends the session cookies
// along), and every page carries the security headers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, sql, test } from './fixtures.ts';

/** A page on another port of 127.0.0.1 that posts a team invite to the app as soon as it loads. */
async function attackerSite(action: string, email: string): Promise<{ url: string; close: () => Promise<void> }> {
	const html = `<!doctype html><title>Win a prize</title>
<form id="f" method="post" action="${action}"><input name="email" value="${email}"><input name="role" value="admin"></form>
<script>document.getElementById('f').submit()</script>`;
	const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function invitesFor(email: string): Promise<number> {
	const [{ n }] = await sql<{ n: number }>('select count(*)::int as n from public.team_invites where email = $1', [email]);
	return n;
}

test('a cross-site form post with the signed-in owner\'s cookies is refused and changes nothing', async ({ page, user, baseURL }) => {
	const [{ name }] = await sql<{ name: string }>('select name from public.teams where id = $1', [user.teamId]);
	const victimAction = `${baseURL}/app/team?/invite`;
	const attacker = await attackerSite(victimAction, 'attacker@example.test');
	try {
		const refused = page.waitForResponse((r) => r.url().startsWith(`${baseURL}/app/team`) && r.request().method() === 'POST');
		// Not page.goto: the fixtures' goto waits for the app to hydrate, and this is not the app.
		await page.evaluate((url) => (location.href = url), attacker.url);
		const response = await refused;
		expect(response.status()).toBe(403);
		expect(await response.text()).toMatch(/Cross-site POST/);
		expect(await invitesFor('attacker@example.test')).toBe(0);
	} finally {
		await attacker.close();
	}

	// The same post from the app's own page goes through, so the refusal above is the origin check's doing.
	await page.goto('/app/team');
	await expect(page.getByRole('heading', { level: 1 })).toContainText(name);
	const status = await page.evaluate(async (action) => {
		const body = new FormData();
		body.set('email', 'colleague@example.test');
		body.set('role', 'member');
		const r = await fetch(action, { method: 'POST', body, headers: { 'x-sveltekit-action': 'true' } });
		return `${r.status} ${await r.text()}`;
	}, victimAction);
	expect(status).toMatch(/^200 /);
	expect(await invitesFor('colleague@example.test')).toBe(1);
});

test('every page carries a nonce-based Content-Security-Policy and the security headers', async ({ page }) => {
	const response = await page.goto('/app/jobs');
	const headers = response!.headers();
	const csp = headers['content-security-policy'];
	const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
	expect(nonce, `a nonce in ${csp}`).toBeTruthy();
	const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
	expect(scriptSrc).toMatch(/^'self' .*'nonce-/);
	expect(scriptSrc).not.toMatch(/'unsafe-(inline|eval)'|\*|https?:/);
	expect(csp).toMatch(/frame-ancestors 'none'/);
	expect(csp).toMatch(/object-src 'none'/);
	expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+/);
	expect(headers['x-content-type-options']).toBe('nosniff');
	expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
	expect(headers['x-frame-options']).toBe('DENY');
	// Every script the page was served with carries the nonce.
	const scripts = await page.locator('script:not([src])').evaluateAll((nodes) => nodes.map((n) => (n as HTMLScriptElement).nonce));
	expect(scripts.length).toBeGreaterThan(0);
	for (const scriptNonce of scripts) expect(scriptNonce).toBe(nonce);
});

test('an inline script that an attacker got into the page does not run', async ({ page }) => {
	const violations: string[] = [];
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy/.test(m.text())) violations.push(m.text());
	});
	await page.goto('/app/jobs');
	const ran = await page.evaluate(() => {
		const s = document.createElement('script');
		s.textContent = 'window.__injected = true';
		document.body.append(s);
		return (window as unknown as { __injected?: boolean }).__injected === true;
	});
	expect(ran).toBe(false);
	await expect.poll(() => violations.length).toBeGreaterThan(0);
});
