// Which addresses belong to accounts, for choosing each person's email (a
// "shared with you" link or a sign-up invitation). Asked with the service
// role once per request, for every address alike, and never put in an
// answer: callers learn nothing about who has an account (see
// 20261207100300_no_account_existence_in_answers.sql).
import { callRpc, serviceClient } from './supabase.ts';

export async function addressesWithAccounts(emails: string[]): Promise<Set<string>> {
	if (emails.length === 0) return new Set();
	return new Set(await callRpc<string[]>(serviceClient(), 'emails_with_accounts', { emails }));
}
