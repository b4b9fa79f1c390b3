// Reads committed changes from the database in commit order: a logical
// replication connection streaming a temporary pgoutput slot on the
// publications it is given (`supabase_realtime` for postgres_changes,
// `supabase_realtime_messages_publication` for broadcasts from the
// database). A temporary slot disappears with its connection, so neither a
// crash nor a restart leaves a slot pinning WAL.
// A lost connection is retried with backoff; listeners learn when the stream
// goes down and comes back.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
	decodeReplicationFrame,
	encodeStandbyStatus,
	postgresTimeToDate,
	type Relation,
	type TupleValue
} from './pgoutput.ts';

export interface RowChange {
	type: 'INSERT' | 'UPDATE' | 'DELETE';
	relation: Relation;
	newTuple: TupleValue[] | null;
	oldTuple: TupleValue[] | null;
}

export interface CommittedTransaction {
	/** The writer's transaction id (32 bits, as pgoutput sends it). */
	xid: number;
	commitTime: Date;
	endLsn: bigint;
	changes: RowChange[];
}

export interface ChangeStream {
	readonly up: boolean;
	/** Marks a transaction as delivered: the slot may move past it. */
	acknowledge(lsn: bigint): void;
	close(): Promise<void>;
}

export interface ChangeStreamOptions {
	databaseUrl: string;
	publications: string[];
	applicationName: string;
	log(message: string): void;
	onTransaction(tx: CommittedTransaction): void;
	onStatus(up: boolean): void;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 3_000;
const FEEDBACK_INTERVAL_MS = 1_000;

export function startChangeStream(options: ChangeStreamOptions): ChangeStream {
	let closed = false;
	let up = false;
	let client: pg.Client | null = null;
	let retryTimer: NodeJS.Timeout | null = null;
	let feedbackTimer: NodeJS.Timeout | null = null;
	let backoff = BACKOFF_MIN_MS;
	let acknowledged = 0n;
	let highestSeen = 0n;
	let pending = 0;
	const relations = new Map<number, Relation>();
	let current: CommittedTransaction | null = null;

	const setUp = (value: boolean) => {
		if (up === value) return;
		up = value;
		options.onStatus(value);
	};

	const sendFeedback = (replyRequested = false) => {
		const lsn = pending === 0 && highestSeen > acknowledged ? highestSeen : acknowledged;
		try {
			// node-pg's Connection can send CopyData (used for COPY FROM); its types do not declare it.
			const connection = client?.connection as unknown as { sendCopyFromChunk(chunk: Buffer): void } | undefined;
			connection?.sendCopyFromChunk(encodeStandbyStatus(lsn, replyRequested));
		} catch {
			// The connection is going away; the next one starts from a new slot.
		}
	};

	const handleFrame = (chunk: Buffer) => {
		const frame = decodeReplicationFrame(chunk);
		if (!frame) return;
		if (frame.kind === 'keepalive') {
			if (frame.walEnd > highestSeen) highestSeen = frame.walEnd;
			if (frame.replyRequested) sendFeedback();
			return;
		}
		const m = frame.message;
		switch (m.tag) {
			case 'relation':
				relations.set(m.relation.id, m.relation);
				break;
			case 'begin':
				current = { xid: m.xid, commitTime: postgresTimeToDate(m.commitTime), endLsn: m.finalLsn, changes: [] };
				break;
			case 'insert':
			case 'update':
			case 'delete': {
				const relation = relations.get(m.relationId);
				if (!current || !relation) {
					options.log(`replication: change for unknown relation ${m.relationId}`);
					break;
				}
				if (m.tag === 'insert') current.changes.push({ type: 'INSERT', relation, newTuple: m.newTuple, oldTuple: null });
				else if (m.tag === 'update') current.changes.push({ type: 'UPDATE', relation, newTuple: m.newTuple, oldTuple: m.oldTuple });
				else current.changes.push({ type: 'DELETE', relation, newTuple: null, oldTuple: m.oldTuple });
				break;
			}
			case 'commit': {
				const tx = current;
				current = null;
				if (!tx) break;
				tx.endLsn = m.endLsn;
				if (m.endLsn > highestSeen) highestSeen = m.endLsn;
				if (tx.changes.length === 0) break;
				pending++;
				options.onTransaction(tx);
				break;
			}
			default:
				break;
		}
	};

	const scheduleRetry = () => {
		if (closed || retryTimer) return;
		const delay = backoff;
		backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
		retryTimer = setTimeout(() => {
			retryTimer = null;
			void connect();
		}, delay);
	};

	const dropConnection = (reason: string) => {
		if (feedbackTimer) clearInterval(feedbackTimer);
		feedbackTimer = null;
		const old = client;
		client = null;
		current = null;
		relations.clear();
		pending = 0;
		old?.end().catch(() => {});
		if (!closed) {
			if (up) options.log(`replication: stream lost (${reason}); reconnecting`);
			setUp(false);
			scheduleRetry();
		}
	};

	const connect = async () => {
		if (closed) return;
		const config: pg.ClientConfig & { replication: string } = {
			connectionString: options.databaseUrl,
			replication: 'database',
			application_name: options.applicationName
		};
		const c = new pg.Client(config);
		client = c;
		let failed = false;
		const fail = (error: Error) => {
			if (failed || client !== c) return;
			failed = true;
			dropConnection(error.message);
		};
		c.on('error', fail);
		c.on('end', () => fail(new Error('connection ended')));
		try {
			await c.connect();
			// Unique per stack and attempt: several stacks may share one cluster.
			const slot = `foldwork_realtime_${process.pid}_${randomBytes(4).toString('hex')}`;
			await c.query(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')`);
			if (closed || client !== c) return;
			c.connection.on('copyData', (msg: { chunk: Buffer }) => {
				try {
					handleFrame(msg.chunk);
				} catch (error) {
					fail(error instanceof Error ? error : new Error(String(error)));
				}
			});
			c.connection.once('replicationStart', () => {
				backoff = BACKOFF_MIN_MS;
				feedbackTimer = setInterval(() => sendFeedback(), FEEDBACK_INTERVAL_MS);
				feedbackTimer.unref();
				setUp(true);
			});
			const publications = options.publications.map((name) => `"${name.replace(/"/g, '""')}"`).join(',').replace(/'/g, "''");
			c.query(`START_REPLICATION SLOT ${slot} LOGICAL 0/0 (proto_version '1', publication_names '${publications}')`).then(
				() => fail(new Error('replication ended')),
				(error: Error) => fail(error)
			);
		} catch (error) {
			fail(error instanceof Error ? error : new Error(String(error)));
		}
	};

	void connect();

	return {
		get up() {
			return up;
		},
		acknowledge(lsn: bigint) {
			if (pending > 0) pending--;
			if (lsn > acknowledged) acknowledged = lsn;
		},
		async close() {
			closed = true;
			if (retryTimer) clearTimeout(retryTimer);
			if (feedbackTimer) clearInterval(feedbackTimer);
			const c = client;
			client = null;
			up = false;
			if (c) await c.end().catch(() => {});
		}
	};
}
