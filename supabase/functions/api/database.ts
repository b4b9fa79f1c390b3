// The api function's one way into the database: its own connection
// (SUPABASE_DB_URL, which Supabase gives every function) used for exactly
// two things. (1) Turning a bearer token into a person: the SHA-256 of what
// was sent goes to private.authenticate_api_token, which refuses unknown,
// revoked and expired tokens, rate-limits per token and records last use.
// (2) Acting as that person: each request runs in one transaction with
// `role authenticated` and the person's `request.jwt.claims`, exactly as
// PostgREST runs a request with a user's JWT, so RLS and the same public
// RPCs decide; a read token's transaction is READ ONLY, so the database
// itself refuses every write through it. No Auth token is minted (hosted
// projects sign with asymmetric keys a function does not hold).
//
// postgres.js (npm:postgres) as the health function uses it: pure
// JavaScript, so it runs unchanged on Deno and Supabase's edge runtime, and
// with prepare: false it works through Supabase's transaction-mode pooler.
import postgres from 'postgres';
import { TOKEN_PATTERN } from '../../../src/lib/api/contract.ts';
import { apiError } from './errors.ts';

export type Sql = postgres.Sql;
export type Transaction = postgres.TransactionSql;

let pool: Sql | undefined;

export function database(): Sql {
	if (pool) return pool;
	const url = Deno.env.get('SUPABASE_DB_URL');
	if (!url) throw new Error('SUPABASE_DB_URL is not set (Supabase sets it for every function)');
	pool = postgres(url, { max: 4, idle_timeout: 30, connect_timeout: 10, prepare: false, onnotice: () => {} });
	return pool;
}

export interface Identity {
	tokenId: string;
	userId: string;
	teamId: string;
	scope: 'read' | 'write';
	claims: Record<string, unknown>;
}

async function sha256Hex(text: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
	return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

const HOW_TO_AUTHENTICATE = 'Send "Authorization: Bearer fwp_…" with a personal access token made on /app/settings/tokens.';

/** The person and team behind the request's token; refusals (401, 403, 429) as ApiErrors. */
export async function authenticate(request: Request): Promise<Identity> {
	const header = request.headers.get('authorization') ?? '';
	const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
	if (!token) throw apiError('not_authenticated', `No token. ${HOW_TO_AUTHENTICATE}`);
	// A malformed token is refused without a database round trip; a well-formed unknown one is looked up like any other.
	if (!TOKEN_PATTERN.test(token)) throw apiError('not_authenticated', `That is not a Foldwork token (they start with fwp_ and have 47 characters). ${HOW_TO_AUTHENTICATE}`);
	const [row] = await database()`select private.authenticate_api_token(${await sha256Hex(token)}) as answer`;
	const answer = row.answer as Record<string, any>;
	switch (answer.status) {
		case 'ok':
			return { tokenId: answer.token_id, userId: answer.user_id, teamId: answer.team_id, scope: answer.scope, claims: answer.claims };
		case 'revoked':
			throw apiError('token_revoked', `This token was revoked on ${answer.revoked_at}. Make a new one on /app/settings/tokens.`);
		case 'expired':
			throw apiError('token_expired', `This token expired on ${answer.expires_at}. Make a new one on /app/settings/tokens.`);
		case 'not_member':
			throw apiError('forbidden', "This token's person is no longer a member of its team, so it cannot act for the team.");
		case 'rate_limited':
			throw apiError(
				'rate_limited',
				`Too many requests with this token (at most ${answer.burst} at once, then ${answer.rate_per_second} a second): wait ${answer.retry_after_s} s and try again. Batch jobs in one POST /v1/jobs and wait for many with one POST /v1/jobs/wait.`,
				{ retry_after_s: answer.retry_after_s },
				{ 'Retry-After': String(answer.retry_after_s) }
			);
		default:
			throw apiError('not_authenticated', `This token is not known (mistyped, or deleted). ${HOW_TO_AUTHENTICATE}`);
	}
}

/**
 * Runs `work` in one transaction as the token's person: RLS, the RPCs'
 * checks and, for a read token, READ ONLY apply to everything it does.
 */
export async function asPerson<T>(identity: Identity, work: (tx: Transaction) => Promise<T>): Promise<T> {
	return (await database().begin(async (tx) => {
		if (identity.scope === 'read') await tx.unsafe('set transaction read only');
		await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(identity.claims)}, true)`;
		return await work(tx);
	})) as T;
}
