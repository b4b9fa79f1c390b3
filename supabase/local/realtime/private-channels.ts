// Authorization of private channels, as Realtime does it: RLS policies on
// realtime.messages decide. Read: inside a transaction that is rolled back,
// insert one broadcast and one presence message for the topic, then select
// them back as the user (role, JWT claims, realtime.topic set). Write: insert
// them as the user; a policy refusal means no write access.
import type pg from 'pg';

export interface ReadPolicies {
	broadcast: boolean;
	presence: boolean;
}

export type Extension = 'broadcast' | 'presence';

export class PrivateChannels {
	private readonly pool: pg.Pool;
	private readonly log: (message: string) => void;

	constructor(pool: pg.Pool, log: (message: string) => void) {
		this.pool = pool;
		this.log = log;
	}

	private async asUser<T>(topic: string, claims: Record<string, unknown>, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
		const client = await this.pool.connect();
		try {
			await client.query('begin');
			try {
				return await work(client);
			} finally {
				await client.query('rollback');
			}
		} finally {
			client.release();
		}
	}

	private static async becomeUser(client: pg.PoolClient, topic: string, claims: Record<string, unknown>): Promise<void> {
		await client.query(
			`select set_config('role', $1, true), set_config('realtime.topic', $2, true),
			        set_config('request.jwt.claims', $3, true), set_config('request.headers', '{}', true)`,
			[String(claims.role), topic, JSON.stringify(claims)]
		);
	}

	/**
	 * The read check of a join. `afterWriter`: the id of a transaction whose effect
	 * the check must see (an access change just decoded); it waits until it is visible.
	 */
	async readPolicies(topic: string, claims: Record<string, unknown>, afterWriter?: number): Promise<ReadPolicies> {
		try {
			return await this.asUser(topic, claims, async (client) => {
				if (afterWriter !== undefined) {
					const { rows: waited } = await client.query<{ visible: boolean }>('select realtime.local_await_writer($1) as visible', [afterWriter]);
					if (!waited[0]?.visible) this.log(`private channel ${topic}: transaction ${afterWriter} was still not visible after 2 s; checked anyway`);
				}
				const { rows } = await client.query<{ id: string; extension: Extension }>(
					`insert into realtime.messages (topic, extension) values ($1, 'broadcast'), ($1, 'presence') returning id, extension`,
					[topic]
				);
				const broadcastId = rows.find((r) => r.extension === 'broadcast')?.id;
				const presenceId = rows.find((r) => r.extension === 'presence')?.id;
				await PrivateChannels.becomeUser(client, topic, claims);
				const seen = await client.query<{ id: string }>(
					`select id from realtime.messages
					  where topic = $1 and ((extension = 'broadcast' and id = $2) or (extension = 'presence' and id = $3))`,
					[topic, broadcastId, presenceId]
				);
				const ids = new Set(seen.rows.map((r) => r.id));
				return { broadcast: ids.has(broadcastId ?? ''), presence: ids.has(presenceId ?? '') };
			});
		} catch (error) {
			// A policy that raises (or an unknown role) grants nothing, as in Realtime.
			this.log(`private channel ${topic}: read check failed: ${error instanceof Error ? error.message : error}`);
			return { broadcast: false, presence: false };
		}
	}

	/**
	 * The read check of a join for many claims at once, in one transaction
	 * (realtime.local_read_checks): the re-check of every channel on a topic
	 * after an access change. `afterWriter` as for readPolicies. A failure
	 * grants nothing, as a failed join check does.
	 */
	async readPoliciesMany(topic: string, claimsList: Array<Record<string, unknown>>, afterWriter?: number): Promise<ReadPolicies[]> {
		const none = claimsList.map(() => ({ broadcast: false, presence: false }));
		if (claimsList.length === 0) return none;
		try {
			return await this.asUser(topic, {}, async (client) => {
				const { rows } = await client.query<{ checked: number; broadcast: boolean; presence: boolean }>(
					'select checked, broadcast, presence from realtime.local_read_checks($1, $2, $3, $4)',
					[topic, claimsList.map((c) => String(c.role)), claimsList.map((c) => JSON.stringify(c)), afterWriter ?? null]
				);
				const verdicts = [...none];
				for (const row of rows) verdicts[row.checked - 1] = { broadcast: row.broadcast, presence: row.presence };
				return verdicts;
			});
		} catch (error) {
			this.log(`private channel ${topic}: read check of ${claimsList.length} channels failed: ${error instanceof Error ? error.message : error}`);
			return none;
		}
	}

	async canWrite(topic: string, claims: Record<string, unknown>, extension: Extension): Promise<boolean> {
		try {
			return await this.asUser(topic, claims, async (client) => {
				await PrivateChannels.becomeUser(client, topic, claims);
				await client.query('insert into realtime.messages (topic, extension) values ($1, $2)', [topic, extension]);
				return true;
			});
		} catch (error) {
			const code = (error as { code?: string }).code;
			if (code !== '42501') this.log(`private channel ${topic}: write check failed: ${error instanceof Error ? error.message : error}`);
			return false;
		}
	}
}
