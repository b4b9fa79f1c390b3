// One origin: SITE_URL, else WEB_PORT, else config.toml's auth.site_url,
// decides the address every link the platform sends starts with (auth,
// share and invite emails, redirects), and the web app's port follows it.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../supabase/local/config.ts';

const base = { PATH: process.env.PATH };
const origin = (env: NodeJS.ProcessEnv) => {
	const config = loadConfig({ env: { ...base, ...env } });
	return { siteUrl: config.auth.siteUrl, webPort: config.webPort };
};

describe('the web origin', () => {
	it("is config.toml's site URL and its port when nothing is set", () => {
		expect(origin({})).toEqual({ siteUrl: 'http://127.0.0.1:5173', webPort: 5173 });
	});

	it('follows WEB_PORT', () => {
		expect(origin({ WEB_PORT: '5273' })).toEqual({ siteUrl: 'http://127.0.0.1:5273', webPort: 5273 });
	});

	it('is SITE_URL when set (a proxy in front), listening on WEB_PORT or 5173', () => {
		expect(origin({ SITE_URL: 'https://foldwork.example.org/' })).toEqual({ siteUrl: 'https://foldwork.example.org', webPort: 5173 });
		expect(origin({ SITE_URL: 'https://foldwork.example.org', WEB_PORT: '8080' })).toEqual({ siteUrl: 'https://foldwork.example.org', webPort: 8080 });
		expect(origin({ SITE_URL: 'http://localhost:4000' })).toEqual({ siteUrl: 'http://localhost:4000', webPort: 4000 });
	});

	it('refuses a site URL or port it cannot use, saying what to write', () => {
		expect(() => origin({ SITE_URL: 'foldwork.example.org' })).toThrow('SITE_URL must be an absolute http(s) URL such as http://127.0.0.1:5173, not "foldwork.example.org"');
		expect(() => origin({ SITE_URL: 'ftp://x.org' })).toThrow('SITE_URL must be an http(s) URL');
		expect(() => origin({ WEB_PORT: 'eighty' })).toThrow('WEB_PORT must be a port number, got "eighty"');
	});
});
