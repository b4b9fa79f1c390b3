// Personal access tokens for the API (supabase/functions/api): what the
// settings page shows and does. The database makes the secret, keeps only
// its SHA-256 and answers the secret once, to create_api_token; listing and
// revoking see only the caller's own tokens (RPCs in
// supabase/migrations/20261209830000_api_tokens.sql).
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';

export const TOKEN_LIFETIMES = [
	{ days: 7, label: '7 days' },
	{ days: 30, label: '30 days' },
	{ days: 90, label: '90 days' },
	{ days: 365, label: '1 year' }
] as const;

export const personalTokenSchema = z.object({
	id: z.uuid(),
	name: z.string(),
	team_id: z.uuid(),
	team_name: z.string().nullable(),
	scope: z.enum(['read', 'write']),
	prefix: z.string(),
	created_at: z.string(),
	expires_at: z.string(),
	revoked_at: z.string().nullable(),
	last_used_at: z.string().nullable(),
	state: z.enum(['active', 'expired', 'revoked'])
});
export type PersonalToken = z.infer<typeof personalTokenSchema>;

/** The settings page's form: a name, one of the person's teams, a scope and a lifetime. */
export const newTokenForm = z.object({
	name: z.string({ error: 'Give the token a name.' }).trim().min(1, 'Give the token a name (what it is for, e.g. "lab laptop CLI").').max(100, 'At most 100 characters.'),
	team_id: z.uuid({ error: 'Choose one of your teams.' }),
	scope: z.enum(['read', 'write'], { error: 'Choose read-only or read and write.' }),
	lifetime: z.coerce
		.number({ error: 'Choose how long the token lasts.' })
		.refine((days) => TOKEN_LIFETIMES.some((l) => l.days === days), 'Choose how long the token lasts.')
});

/** A refusal of the database, with its message as it gave it. */
export class TokenError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

function refusal(error: { code?: string; message: string }): TokenError {
	const status = error.code === '42501' ? 403 : error.code === '42704' ? 404 : error.code === '22023' ? 400 : error.code === 'P0001' ? 409 : 500;
	return new TokenError(status, error.message);
}

export async function listTokens(supabase: SupabaseClient): Promise<PersonalToken[]> {
	const { data, error } = await supabase.rpc('list_api_tokens');
	if (error) throw refusal(error);
	return z.array(personalTokenSchema).parse(data);
}

/** Creates a token; the answer carries its secret, which is never shown again. */
export async function createToken(
	supabase: SupabaseClient,
	token: { name: string; teamId: string; scope: 'read' | 'write'; lifetimeDays: number },
	now: Date = new Date()
): Promise<PersonalToken & { secret: string }> {
	const { data, error } = await supabase.rpc('create_api_token', {
		name: token.name,
		team_id: token.teamId,
		scope: token.scope,
		expires_at: new Date(now.getTime() + token.lifetimeDays * 86_400_000).toISOString()
	});
	if (error) throw refusal(error);
	return personalTokenSchema.extend({ secret: z.string() }).parse(data);
}

export async function revokeToken(supabase: SupabaseClient, tokenId: string): Promise<PersonalToken> {
	const { data, error } = await supabase.rpc('revoke_api_token', { token_id: tokenId });
	if (error) throw refusal(error);
	return personalTokenSchema.parse(data);
}
