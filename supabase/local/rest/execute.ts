// Runs one request as one transaction, the way PostgREST does: logged in as
// `authenticator`, one statement that applies the role, the request GUCs,
// search_path and the role's own settings (and READ ONLY for reads), then
// the request's statement(s).
//
// To keep Postgres and the event loop cheap, the statements of a request go
// out as one extended-protocol batch ending in a single Sync: Postgres runs
// everything before the Sync as one implicit transaction and commits it at
// the Sync, so a plain request is one write and one round trip. Requests
// whose outcome decides commit or rollback (single object, max-affected)
// open an explicit transaction instead and end it in a second batch.
// Statements are prepared once per connection (named by their SQL text).
import pg from 'pg';

export interface Statement {
	text: string;
	values: Array<string | null>;
}

export interface StatementResult {
	fields: string[];
	rows: Array<Record<string, string | null>>;
}

export interface TransactionRequest {
	readOnly: boolean;
	/** GUCs set local to the transaction; 'role' first. */
	settings: Array<[string, string]>;
	statements: Statement[];
	/** End of a transaction that needs no look at the results. */
	end: 'commit' | 'rollback';
	/**
	 * Called with the results before the transaction ends; returns how it
	 * ends, or throws to roll back and answer with that error.
	 */
	decide?: (results: StatementResult[]) => 'commit' | 'rollback';
}

const SETTINGS_SQL = 'select pg_catalog.set_config(k, v, true) from unnest($1::text[], $2::text[]) as pgrst_settings(k, v)';

/** Statement names by SQL text, shared by all connections (bounded). */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 4000;

function nameFor(text: string): string {
	let name = statementNames.get(text);
	if (name === undefined) {
		if (statementNames.size >= MAX_NAMED_STATEMENTS) return '';
		name = `pgrst_s${statementNames.size}`;
		statementNames.set(text, name);
	}
	return name;
}

/** Per connection: statements known prepared, and ones whose Parse may or may not have run (before an error). */
interface ConnectionState {
	prepared: Set<string>;
	uncertain: Set<string>;
}
const connectionStates = new WeakMap<object, ConnectionState>();

function stateOf(connection: object): ConnectionState {
	let state = connectionStates.get(connection);
	if (!state) connectionStates.set(connection, (state = { prepared: new Set(), uncertain: new Set() }));
	return state;
}

function arrayLiteral(values: string[]): string {
	return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** The part of pg's Connection a batch writes to. */
interface WireConnection {
	stream: { cork?(): void; uncork?(): void };
	parse(q: { name: string; text: string; types: number[] }): void;
	bind(c: { portal: string; statement: string; values: Array<string | null>; binary: boolean }): void;
	describe(m: { type: 'P'; name: string }): void;
	execute(c: { portal: string; rows: number }): void;
	close(m: { type: 'S'; name: string }): void;
	sync(): void;
}

interface RowDescription {
	fields: Array<{ name: string }>;
}

/**
 * A node-postgres "submittable": writes several statements and one Sync,
 * and collects each statement's rows until ReadyForQuery.
 */
class Batch {
	readonly promise: Promise<StatementResult[]>;
	private readonly statements: Statement[];
	private readonly results: StatementResult[] = [];
	private current: StatementResult | null = null;
	private error: Error | null = null;
	private parsedHere: string[] = [];
	private resolve!: (r: StatementResult[]) => void;
	private reject!: (e: Error) => void;
	private connection: object | null = null;
	private settled = false;

	constructor(statements: Statement[]) {
		this.statements = statements;
		this.promise = new Promise((resolve, reject) => {
			this.resolve = resolve;
			this.reject = reject;
		});
	}

	submit(connection: WireConnection): null {
		this.connection = connection;
		const state = stateOf(connection);
		connection.stream.cork?.();
		try {
			for (const s of this.statements) {
				const name = nameFor(s.text);
				if (name === '' || !state.prepared.has(name)) {
					if (name !== '' && state.uncertain.has(name)) connection.close({ type: 'S', name });
					connection.parse({ name, text: s.text, types: [] });
					if (name !== '') this.parsedHere.push(name);
				}
				connection.bind({ portal: '', statement: name, values: s.values, binary: false });
				connection.describe({ type: 'P', name: '' });
				connection.execute({ portal: '', rows: 0 });
			}
			connection.sync();
		} finally {
			connection.stream.uncork?.();
		}
		return null;
	}

	handleRowDescription(msg: RowDescription): void {
		this.current = { fields: msg.fields.map((f) => f.name), rows: [] };
	}

	handleDataRow(msg: { fields: Array<string | null> }): void {
		const cur = this.current!;
		const row: Record<string, string | null> = {};
		for (let i = 0; i < cur.fields.length; i++) row[cur.fields[i]] = msg.fields[i];
		cur.rows.push(row);
	}

	handleCommandComplete(): void {
		this.results.push(this.current ?? { fields: [], rows: [] });
		this.current = null;
	}

	handleEmptyQuery(): void {
		this.handleCommandComplete();
	}

	handleError(error: Error): void {
		// node-postgres detaches the query on an error; the ReadyForQuery that
		// follows (everything up to the Sync is skipped) is not passed on.
		this.error ??= error;
		this.finish();
	}

	handleReadyForQuery(): void {
		this.finish();
	}

	handlePortalSuspended(): void {}
	handleCopyInResponse(): void {}
	handleCopyData(): void {}

	private finish(): void {
		if (this.settled) return;
		this.settled = true;
		const state = this.connection ? stateOf(this.connection) : null;
		if (state) {
			// Statements that completed were parsed; the failing one may have been; later ones were skipped.
			const completed = this.results.length;
			this.parsedHere.forEach((name) => {
				const index = this.statements.findIndex((s) => nameFor(s.text) === name);
				if (!this.error || index < completed) {
					state.prepared.add(name);
					state.uncertain.delete(name);
				} else if (index === completed) state.uncertain.add(name);
			});
		}
		if (this.error) this.reject(this.error);
		else this.resolve(this.results);
	}
}

function isDatabaseError(error: unknown): boolean {
	return error instanceof pg.DatabaseError;
}

async function send(client: pg.PoolClient, statements: Statement[]): Promise<StatementResult[]> {
	const batch = new Batch(statements);
	void client.query(batch as unknown as pg.QueryConfig);
	return batch.promise;
}

export function createRequestPool(connectionString: string, max: number, onError: (message: string) => void, options: pg.PoolConfig = {}): pg.Pool {
	const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, ...options });
	pool.on('error', (e) => onError(e.message));
	// The pool listens for a lost connection only while a client is idle: one checked out
	// (a request's transaction) would emit an unhandled 'error' when the database restarts or
	// terminates it, and take the whole process down. Its request fails from the next statement.
	pool.on('connect', (client) => client.on('error', () => {}));
	return pool;
}

const BEGIN: Statement = { text: 'begin isolation level read committed', values: [] };
const COMMIT: Statement = { text: 'commit', values: [] };
const ROLLBACK: Statement = { text: 'rollback', values: [] };

export async function runTransaction(pool: pg.Pool, request: TransactionRequest): Promise<StatementResult[]> {
	const client = await pool.connect();
	let broken: Error | undefined;
	try {
		const settings = request.readOnly ? [...request.settings, ['transaction_read_only', 'on'] as [string, string]] : request.settings;
		const settingsStatement: Statement = { text: SETTINGS_SQL, values: [arrayLiteral(settings.map(([k]) => k)), arrayLiteral(settings.map(([, v]) => v))] };
		const explicit = request.decide !== undefined || request.end === 'rollback';
		if (!explicit) {
			// Implicit transaction: committed at the Sync, rolled back on any error.
			const results = await send(client, [settingsStatement, ...request.statements]);
			return results.slice(1);
		}
		const batch = [BEGIN, settingsStatement, ...request.statements];
		if (!request.decide) batch.push(ROLLBACK);
		let results: StatementResult[];
		try {
			results = await send(client, batch);
		} catch (error) {
			if (isDatabaseError(error)) await send(client, [ROLLBACK]);
			throw error;
		}
		const mine = results.slice(2, 2 + request.statements.length);
		if (request.decide) {
			let end: 'commit' | 'rollback';
			try {
				end = request.decide(mine);
			} catch (error) {
				await send(client, [ROLLBACK]);
				throw error;
			}
			await send(client, [end === 'commit' ? COMMIT : ROLLBACK]);
		}
		return mine;
	} catch (error) {
		if (!isDatabaseError(error) && !(error instanceof Error && 'status' in error)) broken = error instanceof Error ? error : new Error(String(error));
		throw error;
	} finally {
		client.release(broken);
	}
}
