// Asking the operators for credits: the team's recent requests (through
// RLS) and a new one through the request-credits edge function, which
// records it (public.request_credits decides who may ask, how much and how
// often) and emails the operators. Refusals come back as
// CreditRequestError with the function's message and status.
import type { SupabaseClient } from '@supabase/supabase-js';
import { z } from 'zod';
import { functionRefusal } from '#lib/supabase/functions.ts';

export const REQUESTS_SHOWN = 5;

const requestRow = z.object({
	id: z.uuid(),
	credits: z.number(),
	message: z.string().nullable(),
	created_at: z.string(),
	profiles: z.object({ display_name: z.string() }).nullable()
});

export interface CreditRequest {
	id: string;
	credits: number;
	message: string | null;
	createdAt: string;
	by: string | null;
}

/** The team's latest requests, newest first. */
export async function loadCreditRequests(supabase: SupabaseClient, teamId: string): Promise<CreditRequest[]> {
	const { data, error } = await supabase
		.from('credit_requests')
		.select('id, credits, message, created_at, profiles(display_name)')
		.eq('team_id', teamId)
		.order('created_at', { ascending: false })
		.limit(REQUESTS_SHOWN);
	if (error) throw new Error(`Could not load the requests for credits: ${error.message}`);
	return z
		.array(requestRow)
		.parse(data)
		.map((r) => ({ id: r.id, credits: r.credits, message: r.message, createdAt: r.created_at, by: r.profiles?.display_name ?? null }));
}

/** The form's fields; the amount's range and the note's length are the database's to check. */
export const creditRequestForm = z.object({
	credits: z.coerce
		.number({ error: 'Give the number of credits to ask for, like 500.' })
		.int({ error: 'Ask for a whole number of credits.' }),
	message: z
		.string()
		.optional()
		.transform((text) => text?.trim() || null)
});

export class CreditRequestError extends Error {
	readonly status: number;
	/** The field the problem is about, if one. */
	readonly field: 'credits' | 'message' | null;
	constructor(message: string, status: number, field: 'credits' | 'message' | null) {
		super(message);
		this.name = 'CreditRequestError';
		this.status = status;
		this.field = field;
	}
}

function sentence(text: string): string {
	const capital = text.charAt(0).toUpperCase() + text.slice(1);
	return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Asks the operators; returns how many operator addresses were emailed. */
export async function requestCredits(supabase: SupabaseClient, teamId: string, credits: number, message: string | null): Promise<number> {
	const { data, error } = await supabase.functions.invoke('request-credits', { body: { team_id: teamId, credits, message } });
	if (error) {
		const refusal = await functionRefusal(error);
		if (!refusal) throw error;
		const field = refusal.status === 400 ? (/note|message/.test(refusal.message) ? 'message' : 'credits') : null;
		throw new CreditRequestError(sentence(refusal.message), refusal.status, field);
	}
	return z.object({ operators_notified: z.number() }).parse(data).operators_notified;
}
