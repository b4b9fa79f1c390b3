// The environment a function process sees: what Supabase's edge runtime
// gives every function, the secrets of supabase/functions/.env, and the few
// variables Deno itself needs. Nothing else of the stack's own environment
// leaks in, so a function that works here does not rely on local settings.
import { existsSync, readFileSync } from 'node:fs';
import type { StackConfig } from '../config.ts';

/**
 * Variables of the stack's environment that Deno needs to download modules:
 * the registry, proxies and certificate authorities (Deno reads extra CAs
 * from NODE_EXTRA_CA_CERTS, as Node does; behind a TLS-inspecting proxy the
 * first npm: import fails without it).
 */
const PASSED_THROUGH = [
	'PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NPM_CONFIG_REGISTRY', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
	'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'DENO_CERT',
	'DENO_TLS_CA_STORE', 'DENO_AUTH_TOKENS'
];

/** Who gets requests for credits on the local stack (OPERATOR_EMAILS in supabase/functions/.env overrides it). */
export const LOCAL_OPERATOR_EMAILS = 'operators@foldwork.local';

/** Parses dotenv text: KEY=value lines, `export ` prefixes, # comments, single or double quotes. */
export function parseDotenv(text: string): Record<string, string> {
	const result: Record<string, string> = {};
	const line = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*('(?:[^'])*'|"(?:\\.|[^"\\])*"|[^\n]*?)\s*(?:#[^\n]*)?$/gm;
	for (const match of text.matchAll(line)) {
		const [, key, raw] = match;
		if (raw.startsWith("'")) result[key] = raw.slice(1, -1);
		else if (raw.startsWith('"')) {
			result[key] = raw.slice(1, -1).replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
		} else result[key] = raw;
	}
	return result;
}

/** Secrets from a dotenv file; names starting with SUPABASE_ are reserved, as on Supabase. */
export function readSecrets(envFile: string, log: (message: string) => void): Record<string, string> {
	if (!existsSync(envFile)) return {};
	const secrets = parseDotenv(readFileSync(envFile, 'utf8'));
	for (const name of Object.keys(secrets)) {
		if (name.startsWith('SUPABASE_')) {
			log(`${envFile}: skipping ${name} (names starting with SUPABASE_ are reserved)`);
			delete secrets[name];
		}
	}
	return secrets;
}

export function functionEnv(config: StackConfig, secrets: Record<string, string>, extra: Record<string, string>): Record<string, string> {
	const env: Record<string, string> = {};
	for (const name of PASSED_THROUGH) {
		const value = process.env[name];
		if (value !== undefined) env[name] = value;
	}
	// Where the stack's own services are, for the functions that link to the
	// web app or send email (supabase/functions/_shared/email), and a local
	// operators' address for requests for credits (its mail lands in the
	// catcher like every other); secrets win.
	const stackDefaults = {
		SITE_URL: config.auth.siteUrl,
		SMTP_HOST: config.auth.smtpHost,
		SMTP_PORT: String(config.auth.smtpPort),
		EMAIL_FROM: config.auth.mailFrom,
		OPERATOR_EMAILS: LOCAL_OPERATOR_EMAILS
	};
	return {
		...env,
		...stackDefaults,
		...secrets,
		SUPABASE_URL: config.apiUrl,
		SUPABASE_ANON_KEY: config.anonKey,
		SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
		SUPABASE_DB_URL: config.databaseUrl,
		SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: config.publishableKey }),
		SUPABASE_SECRET_KEYS: JSON.stringify({ default: config.secretKey }),
		// The local stack signs with the legacy symmetric secret only, which is never published.
		SUPABASE_JWKS: JSON.stringify({ keys: [] }),
		...extra
	};
}
