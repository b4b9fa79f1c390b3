// Settings of the local stack: supabase/config.toml (the Supabase CLI's
// format) overlaid with environment variables. Every service reads its
// settings from the one StackConfig this module builds.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse } from 'smol-toml';
import { z } from 'zod';
import { generateSigningJwk, parseSigningKeys, registerJwtKeys, signJwt, type JwtKeys } from './jwt.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The Supabase CLI's well-known local secret; its demo keys are derived from it.
export const DEMO_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const DEMO_KEY_EXPIRY = 1983812996;
// The CLI's well-known local opaque keys (new-style API keys).
export const DEMO_PUBLISHABLE_KEY = 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH';
export const DEMO_SECRET_KEY = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

const tomlSchema = z.object({
	api: z
		.object({
			port: z.number().int().default(54321),
			schemas: z.array(z.string()).default(['public', 'graphql_public']),
			extra_search_path: z.array(z.string()).default(['public', 'extensions']),
			max_rows: z.number().int().positive().default(1000)
		})
		.prefault({}),
	db: z.object({ port: z.number().int().default(54322) }).prefault({}),
	db_seed: z.object({ enabled: z.boolean().default(true), sql_paths: z.array(z.string()).default(['./seed.sql']) }).prefault({}),
	inbucket: z.object({ port: z.number().int().default(54324), smtp_port: z.number().int().default(54325) }).prefault({}),
	auth: z
		.object({
			site_url: z.string().default('http://127.0.0.1:3000'),
			additional_redirect_urls: z.array(z.string()).default([]),
			jwt_expiry: z.number().int().positive().default(3600),
			signing_keys_path: z.string().optional(),
			enable_anonymous_sign_ins: z.boolean().default(false),
			enable_manual_linking: z.boolean().default(false),
			enable_refresh_token_rotation: z.boolean().default(true),
			refresh_token_reuse_interval: z.number().int().nonnegative().default(10),
			enable_signup: z.boolean().default(true),
			minimum_password_length: z.number().int().positive().default(6),
			password_requirements: z
				.enum(['', 'letters_digits', 'lower_upper_letters_digits', 'lower_upper_letters_digits_symbols'], {
					error: 'auth.password_requirements must be "", "letters_digits", "lower_upper_letters_digits" or "lower_upper_letters_digits_symbols"'
				})
				.default(''),
			rate_limit: z
				.object({
					email_sent: z.number().int().nonnegative().default(2),
					sms_sent: z.number().int().nonnegative().default(30),
					anonymous_users: z.number().int().nonnegative().default(30),
					token_refresh: z.number().int().nonnegative().default(150),
					sign_in_sign_ups: z.number().int().nonnegative().default(30),
					token_verifications: z.number().int().nonnegative().default(30),
					web3: z.number().int().nonnegative().default(30)
				})
				.prefault({}),
			mfa: z
				.object({
					max_enrolled_factors: z.number().int().positive().default(10),
					totp: z.object({ enroll_enabled: z.boolean().default(true), verify_enabled: z.boolean().default(true) }).prefault({}),
					phone: z.object({ enroll_enabled: z.boolean().default(false), verify_enabled: z.boolean().default(false) }).prefault({}),
					web_authn: z.object({ enroll_enabled: z.boolean().default(false), verify_enabled: z.boolean().default(false) }).prefault({})
				})
				.prefault({}),
			email: z
				.object({
					enable_signup: z.boolean().default(true),
					double_confirm_changes: z.boolean().default(true),
					enable_confirmations: z.boolean().default(false),
					secure_password_change: z.boolean().default(false),
					max_frequency: z.string().default('1s'),
					otp_length: z.number().int().min(6).max(10).default(6),
					otp_expiry: z.number().int().positive().default(3600),
					smtp: z.object({ enabled: z.boolean().default(false) }).optional()
				})
				.prefault({})
		})
		.prefault({}),
	functions: z.record(z.string(), z.object({ verify_jwt: z.boolean().default(true) })).default({}),
	storage: z
		.object({
			file_size_limit: z.string().default('50MiB'),
			buckets: z
				.record(
					z.string(),
					z.object({
						public: z.boolean().default(false),
						file_size_limit: z.string().optional(),
						allowed_mime_types: z.array(z.string()).optional()
					})
				)
				.default({})
		})
		.prefault({})
});

export interface StackConfig {
	/** Host the services bind to and advertise. */
	host: string;
	/** Port the web app listens on (`npm start`, `npm run dev`). */
	webPort: number;
	apiPort: number;
	dbPort: number;
	mailWebPort: number;
	smtpPort: number;
	/** Public URL of the gateway, e.g. http://127.0.0.1:54321 */
	apiUrl: string;
	/** Superuser connection string; set once Postgres is up. */
	databaseUrl: string;
	/** True when DATABASE_URL was given, so no embedded Postgres is started. */
	externalDatabase: boolean;
	/** Folder for the embedded Postgres cluster. */
	dataDir: string;
	/** Extra postgres -c settings for the embedded cluster. */
	postgresSettings: Record<string, string>;
	authenticatorPassword: string;
	migrationsDir: string;
	seedPaths: string[];
	seedEnabled: boolean;
	functionsDir: string;
	jwtSecret: string;
	/** The secret plus the asymmetric keys of [auth] signing_keys_path: what user tokens are signed and verified with. */
	jwtKeys: JwtKeys;
	anonKey: string;
	serviceRoleKey: string;
	publishableKey: string;
	secretKey: string;
	api: { schemas: string[]; extraSearchPath: string[]; maxRows: number };
	auth: {
		siteUrl: string;
		additionalRedirectUrls: string[];
		jwtExpiry: number;
		/** [auth.mfa]: GoTrue's MFA settings (TOTP on by default, phone and WebAuthn off). */
		mfa: {
			maxEnrolledFactors: number;
			totp: { enroll: boolean; verify: boolean };
			phone: { enroll: boolean; verify: boolean };
			webAuthn: { enroll: boolean; verify: boolean };
		};
		/** [auth] enable_anonymous_sign_ins. */
		anonymousSignIns: boolean;
		/** [auth] enable_manual_linking. */
		manualLinking: boolean;
		refreshTokenRotation: boolean;
		refreshTokenReuseInterval: number;
		enableSignup: boolean;
		/** GoTrue's password rules: at least this many bytes (never under 6), one character of each required set. */
		minimumPasswordLength: number;
		passwordRequiredCharacters: string[];
		/** A password change needs a sign-in within 24 h or a reauthentication nonce. */
		securePasswordChange: boolean;
		/** GoTrue's rate limits ([auth.rate_limit]); see auth/rate-limits.ts. */
		rateLimits: AuthRateLimits;
		enableConfirmations: boolean;
		doubleConfirmChanges: boolean;
		/** Minimum seconds between two emails of one kind to one user. */
		maxFrequencySeconds: number;
		otpLength: number;
		otpExpiry: number;
		/** Sender of the auth emails. */
		mailFrom: string;
		smtpHost: string;
		smtpPort: number;
	};
	functions: Record<string, { verifyJwt: boolean }>;
	storage: StorageSettings;
}

export interface ConfigBucket {
	id: string;
	public: boolean;
	/** Bytes; null: only the global limit applies. */
	fileSizeLimit: number | null;
	allowedMimeTypes: string[] | null;
}

export interface StorageSettings {
	/** Folder holding the objects' bytes (STORAGE_DIR, default .local/storage). */
	dir: string;
	/** Largest object in bytes, whatever the bucket says ([storage] file_size_limit). */
	fileSizeLimit: number;
	/** [storage.buckets.<id>] of config.toml: created or brought in line at start. */
	buckets: ConfigBucket[];
}

const SIZE_UNITS: Record<string, number> = {
	'': 1, b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, k: 1024, m: 1024 ** 2, g: 1024 ** 3
};

/** A size as the Supabase CLI writes it ("50MiB", "5MB", "1024"), in bytes. */
export function parseSize(text: string, what: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
	const unit = match ? SIZE_UNITS[match[2].toLowerCase()] : undefined;
	if (!match || unit === undefined) throw new Error(`${what}: cannot read the size "${text}" (write e.g. "50MiB", "5MB" or a number of bytes)`);
	return Math.floor(Number(match[1]) * unit);
}

export interface AuthRateLimits {
	/** Emails per hour, for the whole project (GoTrue's GOTRUE_RATE_LIMIT_EMAIL_SENT). */
	emailSentPerHour: number;
	/** Requests per 5 minutes and client address, in buckets of 30 (GoTrue's token buckets). */
	tokenRefreshPer5Min: number;
	signInSignUpsPer5Min: number;
	tokenVerificationsPer5Min: number;
	/** Anonymous sign-ins per hour and client address (burst the same number). */
	anonymousUsersPerHour: number;
}

/**
 * The character sets of [auth] password_requirements, as the Supabase CLI
 * hands them to GoTrue (GOTRUE_PASSWORD_REQUIRED_CHARACTERS).
 */
export const PASSWORD_CHARACTER_SETS: Record<string, string[]> = {
	'': [],
	letters_digits: ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'],
	lower_upper_letters_digits: ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'],
	lower_upper_letters_digits_symbols: ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~']
};

/** GoTrue refuses a minimum password length under 6 and uses 6 instead. */
const GOTRUE_MIN_PASSWORD_LENGTH = 6;

/**
 * `supabase start` passes [auth.rate_limit] email_sent to GoTrue only with a
 * custom SMTP server ([auth.email.smtp] enabled); with its own mail catcher
 * it sets 360000 an hour, and so does this stack (every email lands in the
 * local inbox).
 */
const CLI_EMAIL_SENT_WITHOUT_SMTP = 360_000;

function parseDuration(text: string): number {
	const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
	if (!match) throw new Error(`config.toml: cannot read the duration "${text}" (write e.g. "1s" or "60s")`);
	const n = Number(match[1]);
	return { ms: n / 1000, s: n, m: n * 60, h: n * 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
}

function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
	return n;
}

/**
 * The web app's public address, which every link the platform sends starts
 * with (auth emails, share and invite emails, redirects), and the port it
 * listens on. SITE_URL wins; else WEB_PORT on this host; else
 * config.toml's auth.site_url. The port is WEB_PORT, else the site URL's
 * port when that URL is on this machine, else 5173.
 */
function webOrigin(env: NodeJS.ProcessEnv, host: string, tomlSiteUrl: string, portOverride?: number): { siteUrl: string; webPort: number } {
	const explicitPort = portOverride ?? (env.WEB_PORT ? envInt(env, 'WEB_PORT', 5173) : undefined);
	let siteUrl = env.SITE_URL || (explicitPort !== undefined ? `http://${host}:${explicitPort}` : tomlSiteUrl);
	let parsed: URL;
	try {
		parsed = new URL(siteUrl);
	} catch {
		throw new Error(`SITE_URL must be an absolute http(s) URL such as http://127.0.0.1:5173, not "${siteUrl}"`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`SITE_URL must be an http(s) URL, not "${siteUrl}"`);
	siteUrl = parsed.origin;
	const local = parsed.hostname === 'localhost' || /^127(\.\d{1,3}){3}$/.test(parsed.hostname) || parsed.hostname === host;
	const webPort = explicitPort ?? (local && parsed.port ? Number(parsed.port) : 5173);
	return { siteUrl, webPort };
}

export interface LoadConfigOptions {
	root?: string;
	env?: NodeJS.ProcessEnv;
	/** Overrides applied last (tests use free ports and a temporary data folder). */
	overrides?: Partial<Pick<StackConfig, 'webPort' | 'apiPort' | 'dbPort' | 'mailWebPort' | 'smtpPort' | 'dataDir' | 'postgresSettings' | 'databaseUrl'>> & {
		storageDir?: string;
		storageFileSizeLimit?: number;
		/** A signing keys file instead of config.toml's [auth] signing_keys_path; null: HS256 only. */
		signingKeysPath?: string | null;
	};
}

/**
 * The keys of [auth] signing_keys_path (relative to supabase/, as the CLI
 * reads it). A missing file is created with one new ES256 key, so the
 * private key is made on each machine and never committed (the Supabase
 * CLI stops instead and asks for `supabase gen signing-key`).
 */
export function loadJwtKeys(secret: string, keysPath: string | null): JwtKeys {
	if (!keysPath) return { secret, current: null, byKid: new Map() };
	if (!existsSync(keysPath)) {
		mkdirSync(path.dirname(keysPath), { recursive: true });
		const temporary = `${keysPath}.${process.pid}.tmp`;
		writeFileSync(temporary, `${JSON.stringify([generateSigningJwk('ES256')], null, 2)}\n`, { mode: 0o600 });
		// Another process may make it meanwhile: a hard link never replaces a file, so whichever lands first stays.
		try {
			linkSync(temporary, keysPath);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		} finally {
			unlinkSync(temporary);
		}
	}
	const keys = parseSigningKeys(readFileSync(keysPath, 'utf8'), secret, keysPath);
	registerJwtKeys(keys);
	return keys;
}

export function loadConfig(options: LoadConfigOptions = {}): StackConfig {
	const root = options.root ?? projectRoot;
	const env = options.env ?? process.env;
	const raw = parse(readFileSync(path.join(root, 'supabase/config.toml'), 'utf8')) as Record<string, unknown>;
	const dbSection = (raw.db ?? {}) as Record<string, unknown>;
	const parsed = tomlSchema.safeParse({ ...raw, db_seed: dbSection.seed ?? {} });
	if (!parsed.success) throw new Error(`supabase/config.toml: ${z.prettifyError(parsed.error)}`);
	const toml = parsed.data;

	const host = env.STACK_HOST ?? '127.0.0.1';
	const o = options.overrides ?? {};
	const apiPort = o.apiPort ?? envInt(env, 'API_PORT', toml.api.port);
	const dbPort = o.dbPort ?? envInt(env, 'DB_PORT', toml.db.port);
	const mailWebPort = o.mailWebPort ?? envInt(env, 'MAIL_PORT', toml.inbucket.port);
	const smtpPort = o.smtpPort ?? envInt(env, 'SMTP_PORT', toml.inbucket.smtp_port);
	const jwtSecret = env.JWT_SECRET ?? DEMO_JWT_SECRET;
	if (jwtSecret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters long');
	const keysPath =
		o.signingKeysPath !== undefined
			? o.signingKeysPath
			: env.SIGNING_KEYS_PATH
				? path.resolve(env.SIGNING_KEYS_PATH)
				: toml.auth.signing_keys_path
					? path.resolve(root, 'supabase', toml.auth.signing_keys_path)
					: null;
	const jwtKeys = loadJwtKeys(jwtSecret, keysPath);
	const externalUrl = o.databaseUrl ?? env.DATABASE_URL;
	const { siteUrl, webPort } = webOrigin(env, host, toml.auth.site_url, o.webPort);

	return {
		host,
		webPort,
		apiPort,
		dbPort,
		mailWebPort,
		smtpPort,
		apiUrl: `http://${host}:${apiPort}`,
		databaseUrl: externalUrl ?? `postgresql://postgres:postgres@${host}:${dbPort}/postgres`,
		externalDatabase: externalUrl !== undefined && externalUrl !== '',
		dataDir: o.dataDir ?? env.PGDATA_DIR ?? path.join(root, '.local/postgres'),
		postgresSettings: o.postgresSettings ?? {},
		authenticatorPassword: env.AUTHENTICATOR_PASSWORD ?? 'postgres',
		migrationsDir: path.join(root, 'supabase/migrations'),
		seedPaths: toml.db_seed.sql_paths.map((p) => path.resolve(root, 'supabase', p)),
		seedEnabled: toml.db_seed.enabled,
		functionsDir: path.join(root, 'supabase/functions'),
		jwtSecret,
		jwtKeys,
		anonKey: signJwt({ iss: 'supabase-demo', role: 'anon', exp: DEMO_KEY_EXPIRY }, jwtSecret),
		serviceRoleKey: signJwt({ iss: 'supabase-demo', role: 'service_role', exp: DEMO_KEY_EXPIRY }, jwtSecret),
		publishableKey: env.PUBLISHABLE_KEY ?? DEMO_PUBLISHABLE_KEY,
		secretKey: env.SECRET_KEY ?? DEMO_SECRET_KEY,
		api: { schemas: toml.api.schemas, extraSearchPath: toml.api.extra_search_path, maxRows: toml.api.max_rows },
		auth: {
			siteUrl,
			additionalRedirectUrls: toml.auth.additional_redirect_urls,
			jwtExpiry: toml.auth.jwt_expiry,
			mfa: {
				maxEnrolledFactors: toml.auth.mfa.max_enrolled_factors,
				totp: { enroll: toml.auth.mfa.totp.enroll_enabled, verify: toml.auth.mfa.totp.verify_enabled },
				phone: { enroll: toml.auth.mfa.phone.enroll_enabled, verify: toml.auth.mfa.phone.verify_enabled },
				webAuthn: { enroll: toml.auth.mfa.web_authn.enroll_enabled, verify: toml.auth.mfa.web_authn.verify_enabled }
			},
			anonymousSignIns: toml.auth.enable_anonymous_sign_ins,
			manualLinking: toml.auth.enable_manual_linking,
			refreshTokenRotation: toml.auth.enable_refresh_token_rotation,
			refreshTokenReuseInterval: toml.auth.refresh_token_reuse_interval,
			enableSignup: toml.auth.enable_signup && toml.auth.email.enable_signup,
			minimumPasswordLength: Math.max(GOTRUE_MIN_PASSWORD_LENGTH, toml.auth.minimum_password_length),
			passwordRequiredCharacters: PASSWORD_CHARACTER_SETS[toml.auth.password_requirements],
			securePasswordChange: toml.auth.email.secure_password_change,
			rateLimits: {
				emailSentPerHour: toml.auth.email.smtp?.enabled ? toml.auth.rate_limit.email_sent : CLI_EMAIL_SENT_WITHOUT_SMTP,
				tokenRefreshPer5Min: toml.auth.rate_limit.token_refresh,
				signInSignUpsPer5Min: toml.auth.rate_limit.sign_in_sign_ups,
				tokenVerificationsPer5Min: toml.auth.rate_limit.token_verifications,
				anonymousUsersPerHour: toml.auth.rate_limit.anonymous_users
			},
			enableConfirmations: toml.auth.email.enable_confirmations,
			doubleConfirmChanges: toml.auth.email.double_confirm_changes,
			maxFrequencySeconds: parseDuration(toml.auth.email.max_frequency),
			otpLength: toml.auth.email.otp_length,
			otpExpiry: toml.auth.email.otp_expiry,
			mailFrom: env.MAIL_FROM ?? 'Foldwork <noreply@foldwork.local>',
			smtpHost: host,
			smtpPort
		},
		functions: Object.fromEntries(Object.entries(toml.functions).map(([name, f]) => [name, { verifyJwt: f.verify_jwt }])),
		storage: {
			dir: o.storageDir ?? (env.STORAGE_DIR ? path.resolve(env.STORAGE_DIR) : path.join(root, '.local/storage')),
			fileSizeLimit:
				o.storageFileSizeLimit ??
				(env.STORAGE_FILE_SIZE_LIMIT
					? parseSize(env.STORAGE_FILE_SIZE_LIMIT, 'STORAGE_FILE_SIZE_LIMIT')
					: parseSize(toml.storage.file_size_limit, 'config.toml [storage] file_size_limit')),
			buckets: Object.entries(toml.storage.buckets).map(([id, b]) => ({
				id,
				public: b.public,
				fileSizeLimit: b.file_size_limit === undefined ? null : parseSize(b.file_size_limit, `config.toml [storage.buckets.${id}] file_size_limit`),
				allowedMimeTypes: b.allowed_mime_types ?? null
			}))
		}
	};
}
