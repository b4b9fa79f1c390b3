// Shared by the api function's tests: personal access tokens made the way
// the settings page makes them (create_api_token as the signed-in person),
// and calls to the API with a token as a script or the CLI sends them.
import type pg from 'pg';
import { expect } from 'vitest';
import { stackInfo } from '../helpers/stack.ts';
import { readAnswer, type Answer, type Person } from './support.ts';

export const apiBase = () => `${stackInfo().apiUrl}/functions/v1/api`;

export async function makeToken(
	owner: Person,
	options: { teamId?: string; scope?: 'read' | 'write'; name?: string; expiresAt?: Date } = {}
): Promise<{ id: string; secret: string }> {
	const { data, error } = await owner.db.rpc('create_api_token', {
		name: options.name ?? 'test',
		team_id: options.teamId ?? owner.teamId,
		scope: options.scope ?? 'write',
		expires_at: (options.expiresAt ?? new Date(Date.now() + 7 * 86_400_000)).toISOString()
	});
	expect(error).toBeNull();
	return { id: data.id, secret: data.secret };
}

/** Gives a team credits the way operators do: a grant in its ledger. */
export async function grantCredits(admin: pg.Pool, teamId: string, credits: number): Promise<void> {
	await admin.query(`insert into public.credit_ledger (team_id, delta, reason, memo) values ($1, $2, 'grant', 'api test')`, [teamId, credits]);
}

/** One API call; `token` null sends no Authorization header. */
export async function api(token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
	const res = await fetch(`${apiBase()}${path}`, {
		method,
		headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
	});
	return readAnswer(res);
}

export const proteins = (n: number) => ({ sequences: Array.from({ length: n }, (_, i) => ({ id: `p${i + 1}`, sequence: 'MKTAYIAKQRQISFVKSHFSRQ' })) });
export const molecules = (n: number) => ({ molecules: Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, smiles: 'CCO' })) });
