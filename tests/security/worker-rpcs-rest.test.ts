// The worker fleet's RPCs (supabase/migrations/20261209500300_worker_schema.sql)
// from the side of someone with the API's URL and a key: an anonymous
// visitor, a signed-in user, and even the service role key calling the old
// public names through supabase-js, or naming the `worker` schema outright.
// None reaches them: REST does not know the functions (PGRST202) and does
// not expose the schema (PGRST106); the fleet calls them over its direct
// database connection only.
import type { SupabaseClient } from '@supabase/supabase-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { confirmedUser } from '../helpers/auth.ts';
import { anonClient, serviceClient } from '../helpers/stack.ts';

const calls: Array<[string, Record<string, unknown>]> = [
	['worker_dispatch', { max_jobs: 10 }],
	['worker_register', { worker_id: crypto.randomUUID(), compute_class: 'cpu', host: 'attacker', concurrency: 1000, gpus: 0, version: 'x', tools: [], unavailable_tools: {} }],
	['worker_claim_jobs', { worker_id: crypto.randomUUID(), job_ids: [crypto.randomUUID()] }],
	['worker_finish_jobs', { worker_id: crypto.randomUUID(), outcomes: [] }],
	['worker_reap', { max_jobs: 10 }],
	['worker_heartbeat', { worker_id: crypto.randomUUID(), job_ids: [] }],
	['worker_storage_garbage', {}]
];

let clients: Array<[string, SupabaseClient]>;

beforeAll(async () => {
	const { client } = await confirmedUser('worker-rpc');
	clients = [
		['anon', anonClient()],
		['signed in', client],
		['service role', serviceClient()]
	];
});

describe('the worker RPCs through REST', () => {
	it('are unknown under their old public names, to every key (PGRST202)', async () => {
		for (const [who, client] of clients) {
			for (const [fn, args] of calls) {
				const { data, error } = await client.rpc(fn, args);
				expect([who, fn, data, error?.code]).toEqual([who, fn, null, 'PGRST202']);
			}
		}
	});

	it('cannot be reached by naming the worker schema (PGRST106)', async () => {
		for (const [who, client] of clients) {
			const { error } = await client.schema('worker').rpc('worker_dispatch', { max_jobs: 10 });
			expect([who, error?.code]).toEqual([who, 'PGRST106']);
		}
	});
});
