// `/functions/v1/<name>`: Supabase Edge Functions on the real Deno runtime.
// Each function of supabase/functions runs in its own Deno process (started
// on its first call, then kept warm) and requests are relayed to it. In front
// of it sits what Supabase's relay does: verify_jwt from config.toml with
// Supabase's 401 bodies, 404 for unknown functions, 503 when a function
// cannot start, and a time limit after which the process is stopped.
import http from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config.ts';
import type { StackContext, StackService } from '../context.ts';
import type { ApiRequest } from '../gateway.ts';
import { sendJson } from '../http.ts';
import { verifyJwt } from '../jwt.ts';
import { functionEnv, readSecrets } from './env.ts';
import { BootError, FunctionProcess } from './process.ts';
import { relay } from './proxy.ts';
import { sendRelayError } from './relay-errors.ts';
import { watchFunctions } from './watcher.ts';

export interface FunctionsOptions {
	/** Restart a function when its files change (`npm start`). */
	watch?: boolean;
	/** Limit on one request, in ms (default FUNCTIONS_TIMEOUT_MS, else 150 s like Supabase's). */
	timeoutMs?: number;
	/** Limit on starting a function, in ms; a first start may download npm packages (default 120 s). */
	bootTimeoutMs?: number;
	/** Folder of the functions (default supabase/functions); tests serve their fixtures with it. */
	functionsDir?: string;
	/** Secrets in dotenv format (default <functionsDir>/.env). */
	envFile?: string;
	/** Deno's cache of modules and npm packages (default .local/deno, kept across runs). */
	denoDir?: string;
}

export const DENO_DIR = path.join(projectRoot, '.local/deno');
const FUNCTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const DEFAULT_TIMEOUT_MS = 150_000;

function defaultTimeoutMs(): number {
	const raw = process.env.FUNCTIONS_TIMEOUT_MS;
	if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_MS;
	const ms = Number(raw);
	if (!Number.isInteger(ms) || ms <= 0) throw new Error(`FUNCTIONS_TIMEOUT_MS must be a positive number of milliseconds, got "${raw}"`);
	return ms;
}

/**
 * What Supabase's gateway hands the function: the caller's Authorization as
 * sent, unless it is missing or carries an opaque `sb_` key, which is replaced
 * by the JWT the API key stands for.
 */
function forwardedAuthorization(sent: string | undefined, token: string | null): string | null {
	const replace = !sent || /^Bearer\s+sb_/i.test(sent.trim());
	return replace && token ? `Bearer ${token}` : null;
}

export async function createFunctionsService(ctx: StackContext, options: FunctionsOptions = {}): Promise<StackService> {
	const { config } = ctx;
	const functionsDir = options.functionsDir ?? config.functionsDir;
	const envFile = options.envFile ?? path.join(functionsDir, '.env');
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs();
	const log = (message: string) => ctx.log('functions', message);
	const denoDir = options.denoDir ?? DENO_DIR;
	mkdirSync(denoDir, { recursive: true });
	const agent = new http.Agent({ keepAlive: true });
	const processes = new Map<string, FunctionProcess>();

	const processFor = (name: string): FunctionProcess => {
		let fn = processes.get(name);
		if (!fn) {
			fn = new FunctionProcess({
				name,
				functionsDir,
				denoDir,
				env: () => functionEnv(config, readSecrets(envFile, log), {}),
				bootTimeoutMs: options.bootTimeoutMs ?? 120_000,
				log
			});
			processes.set(name, fn);
		}
		return fn;
	};

	const restart = async (fn: FunctionProcess, why: string) => {
		if (!fn.active) return;
		await fn.stop();
		log(`${fn.name}: reloading (${why})`);
		// Start it again now, so a mistake in the saved file shows at once in the log.
		await fn.ready().catch((error: unknown) => log(`${fn.name}: failed to start: ${error instanceof Error ? error.message : String(error)}`));
	};
	const watcher = options.watch
		? watchFunctions(
				functionsDir,
				(name, file) => {
					const affected = name === null ? [...processes.values()] : [processes.get(name)].filter((fn) => fn !== undefined);
					for (const fn of affected) void restart(fn, `${file} changed`);
				},
				log
			)
		: null;

	async function handle({ req, res, url, path: below, token }: ApiRequest): Promise<void> {
		const name = below.split('/')[1] ?? '';
		if (!FUNCTION_NAME.test(name) || !existsSync(path.join(functionsDir, name, 'index.ts'))) {
			sendRelayError(res, 404, 'NOT_FOUND', 'Requested function was not found');
			return;
		}
		// Browsers send preflights without credentials; the function answers CORS itself.
		if (req.method !== 'OPTIONS' && (config.functions[name]?.verifyJwt ?? true)) {
			if (!token) {
				sendJson(res, 401, { msg: 'Error: Missing authorization header' });
				return;
			}
			if (!verifyJwt(token, config.jwtKeys).ok) {
				sendJson(res, 401, { msg: 'Invalid JWT' });
				return;
			}
		}
		const fn = processFor(name);
		let port: number;
		try {
			port = await fn.ready();
		} catch (error) {
			if (!(error instanceof BootError)) throw error;
			sendRelayError(res, 503, 'BOOT_ERROR', `Function failed to start: ${error.message}`);
			return;
		}
		await relay({
			req,
			res,
			port,
			path: below + url.search,
			authorization: forwardedAuthorization(req.headers.authorization, token),
			agent,
			timeoutMs,
			timeoutMessage: `Function ${name} did not respond within ${timeoutMs / 1000} s; its process was stopped`,
			onTimeout: () => {
				log(`${name}: a request ran past ${timeoutMs / 1000} s; stopping the process`);
				void fn.stop();
			},
			// A function that exited answers the next call only once it is known gone.
			onUpstreamError: () => fn.settle(1000)
		});
	}

	return {
		prefix: '/functions/v1',
		// Supabase's gateway asks no API key for functions; verify_jwt guards them instead.
		isOpen: () => true,
		answersPreflight: true,
		handle,
		async close() {
			watcher?.close();
			await Promise.all([...processes.values()].map((fn) => fn.stop()));
			agent.destroy();
		}
	};
}
