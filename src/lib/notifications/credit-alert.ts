// A team's low-credit alert: owners and admins are notified once each time
// the balance falls below it (the database's credits_low notification;
// default 20 credits, 0: never).
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '#lib/supabase/database.types.ts';

type Client = SupabaseClient<Database>;

export async function lowCreditThreshold(client: Client, teamId: string): Promise<number> {
	const { data, error } = await client.rpc('low_credit_threshold', { team_id: teamId });
	if (error) throw error;
	return data;
}

export async function setLowCreditThreshold(client: Client, teamId: string, threshold: number): Promise<void> {
	const { error } = await client.rpc('set_low_credit_threshold', { team_id: teamId, threshold });
	if (error) throw error;
}
