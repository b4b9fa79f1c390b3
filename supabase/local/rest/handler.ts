// One REST request from start to end: role from the JWT, schema from the
// profile headers, query parameters and preferences, the plan for a table
// (read, insert/upsert, update, delete) or a function, one transaction,
// and the response PostgREST would give.
import type pg from 'pg';
import type { IncomingMessage } from 'node:http';
import type { ApiRequest } from '../gateway.ts';
import { parseJsonBody } from '../http.ts';
import { PgrstError, SchemaMissError, columnNotFound, fromDatabaseError, singularityError, tableNotFound } from './errors.ts';
import { runTransaction, type Statement, type StatementResult } from './execute.ts';
import type { RequestRole } from './jwt-role.ts';
import { negotiate, type MediaChoice } from './media.ts';
import { openApiDocument } from './openapi.ts';
import { INSERTED_COUNT, deleteSql, insertSql, updateSql } from './mutate-sql.ts';
import { mutationSource, needsWholeRow, outputNames, planRead, relationSource, type PlanNode, type Source } from './plan.ts';
import { appliedHeader, parsePrefer, type Preferences } from './prefer.ts';
import { parseQueryParams, type QueryParams } from './query-params.ts';
import { RESPONSE_GUCS, nodeQuery, readStatement, type BodyFormat } from './read-sql.ts';
import { closest } from './relationships.ts';
import { parseCsv } from './csv.ts';
import { callFrom, chooseRoutine, type BodyKind } from './rpc.ts';
import { relationKey, type Column, type Relation, type SchemaCache } from './schema-cache.ts';
import type { SchemaWatch } from './schema-watch.ts';
import type { SelectItem } from './select-parser.ts';
import { SqlParams, qualified, quoteIdent } from './sql.ts';

export interface RestContext {
	schemas: string[];
	extraSearchPath: string[];
	maxRows: number;
	pool: pg.Pool;
	schemaWatch: SchemaWatch;
	resolveRole(token: string | null): RequestRole;
}

interface Outcome {
	status: number;
	headers: Record<string, string>;
	body: string | null;
}

/** Everything read from the HTTP request before planning. */
interface RequestInfo {
	method: string;
	schema: string;
	target: { kind: 'table'; name: string } | { kind: 'rpc'; name: string };
	query: QueryParams;
	prefs: Preferences;
	media: MediaChoice;
	body: unknown;
	hasBody: boolean;
	bodyKind: BodyKind;
	role: RequestRole;
	settings: Array<[string, string]>;
	path: string;
	search: string;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

function header(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name];
	return Array.isArray(v) ? v.join(', ') : v;
}

function parseCookies(cookie: string | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	if (!cookie) return out;
	for (const part of cookie.split(';')) {
		const eq = part.indexOf('=');
		if (eq <= 0) continue;
		out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
	}
	return out;
}

function pickSchema(ctx: RestContext, requested: string | undefined): string {
	if (requested === undefined || requested === '') return ctx.schemas[0];
	if (!ctx.schemas.includes(requested)) {
		throw new PgrstError(406, 'PGRST106', `Invalid schema: ${requested}`, null, `Only the following schemas are exposed: ${ctx.schemas.join(', ')}`);
	}
	return requested;
}

const BODY_LIMIT = 10 * 1024 * 1024;

/** The request body (event-based: cheaper than async iteration on the hot path). */
function readBytes(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > BODY_LIMIT) {
				reject(new PgrstError(413, 'PGRST102', `Request body is larger than ${BODY_LIMIT} bytes`));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

interface Payload {
	body: unknown;
	present: boolean;
	/** How an RPC may take it (see rpc.ts BodyKind). */
	kind: BodyKind;
}

/** Content types PostgREST passes raw to a function's one unnamed parameter. */
const RAW_TYPES: Record<string, BodyKind> = { 'text/plain': 'text', 'text/xml': 'xml', 'application/octet-stream': 'bytea' };

async function readPayload(req: IncomingMessage, isRpc: boolean): Promise<Payload> {
	const bytes = await readBytes(req);
	const type = (header(req, 'content-type') ?? 'application/json').split(';')[0].trim().toLowerCase();
	const raw = RAW_TYPES[type];
	if (raw !== undefined) {
		if (!isRpc) throw new PgrstError(400, 'PGRST102', `Content-Type not acceptable: ${type}`);
		return { body: raw === 'bytea' ? bytes : bytes.toString('utf8'), present: true, kind: raw };
	}
	const text = bytes.toString('utf8');
	if (text.trim() === '') return { body: undefined, present: false, kind: 'json' };
	if (type === 'application/x-www-form-urlencoded') {
		return { body: Object.fromEntries(new URLSearchParams(text)), present: true, kind: null };
	}
	if (type === 'text/csv') return { body: parseCsv(text), present: true, kind: 'json' };
	try {
		return { body: parseJsonBody(text), present: true, kind: 'json' };
	} catch (error) {
		// PostgREST answers any unusable body this way; the details say what is wrong with it.
		throw new PgrstError(400, 'PGRST102', 'Empty or invalid json', (error as Error).message);
	}
}

function searchPathFor(ctx: RestContext, schema: string): string {
	return [...new Set([schema, ...ctx.extraSearchPath])].map(quoteIdent).join(', ');
}

function requestSettings(ctx: RestContext, req: IncomingMessage, role: RequestRole, method: string, path: string, schema: string, prefs: Preferences): Array<[string, string]> {
	const settings: Array<[string, string]> = [
		['role', role.role],
		['request.jwt.claims', role.claims],
		['request.method', method],
		['request.path', path],
		['request.headers', JSON.stringify(req.headers)],
		['request.cookies', JSON.stringify(parseCookies(header(req, 'cookie')))],
		['search_path', searchPathFor(ctx, schema)]
	];
	for (const s of ctx.schemaWatch.current().roleSettings.get(role.role) ?? []) settings.push(s);
	if (prefs.timezone) settings.push(['timezone', prefs.timezone]);
	return settings;
}

function bodyFormat(info: RequestInfo): BodyFormat {
	if (info.method === 'HEAD') return 'none';
	if (info.media.kind === 'csv') return 'csv';
	return info.media.stripNulls ? 'json-stripped' : 'json';
}

/** Query params limited to the root (for UPDATE/DELETE WHERE) or to embeds (for the returned rows). */
function splitParams(query: QueryParams, part: 'root' | 'embeds', select: SelectItem[]): QueryParams {
	const pick = <T>(map: Map<string, T>) => new Map([...map].filter(([k]) => (part === 'root' ? k === '' : k !== '')));
	// The returned rows keep the root order only when they are the response.
	const order = part === 'root' || select.length === 0 ? pick(query.order) : query.order;
	return { ...query, select, filters: pick(query.filters), logic: pick(query.logic), order, limit: pick(query.limit), offset: pick(query.offset) };
}

/** Columns of the root that the response needs from the mutated rows. */
function returningColumns(plan: PlanNode, extra: string[]): string[] {
	const cols = new Set<string>(extra);
	for (const f of plan.fields) if (!f.column.computed && f.column.name !== '*') cols.add(f.column.name);
	for (const e of plan.embeds) {
		const rel = e.rel;
		for (const c of rel.cardinality === 'm2m' ? rel.junction!.sourceColumns : rel.columns) cols.add(c);
	}
	for (const o of plan.order) if (!o.embed && !o.column.computed) cols.add(o.column.name);
	return [...cols];
}

/**
 * RETURNING list of a mutation whose rows the response reads. With computed
 * fields or relationships at the root, every column in the table's order, and
 * the plan takes its row rebuilt as the table's type.
 */
function mutationReturning(relation: Relation, plan: PlanNode, extra: string[]): string[] {
	if (!needsWholeRow(plan)) return returningColumns(plan, extra);
	plan.row = `row(${quoteIdent(plan.alias)}.*)::${qualified(relation.schema, relation.name)}`;
	return relation.columnList.map((c) => c.name);
}

function lookupRelation(cache: SchemaCache, schema: string, name: string): Relation {
	const relation = cache.relations.get(relationKey(schema, name));
	if (relation) return relation;
	const names = [...cache.relations.values()].filter((r) => r.schema === schema).map((r) => r.name);
	throw tableNotFound(schema, name, closest(name, names, 0.6));
}

function applyResponseGucs(outcome: Outcome, row: { response_headers: string | null; response_status: string | null }): Outcome {
	if (row.response_headers) {
		let list: unknown;
		try {
			list = JSON.parse(row.response_headers);
		} catch {
			list = null;
		}
		if (!Array.isArray(list) || !list.every((h) => typeof h === 'object' && h !== null && Object.values(h).every((v) => typeof v === 'string'))) {
			throw new PgrstError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value');
		}
		for (const h of list as Array<Record<string, string>>) Object.assign(outcome.headers, h);
	}
	if (row.response_status) {
		const status = Number(row.response_status);
		if (!Number.isInteger(status) || status < 100 || status > 599) throw new PgrstError(500, 'PGRST112', 'response.status guc must be a valid status code');
		outcome.status = status;
	}
	return outcome;
}

interface MainRow {
	total: string | null;
	page_total: string;
	body: string | null;
	response_headers: string | null;
	response_status: string | null;
	/** Upserts only: rows inserted rather than updated. */
	inserted?: number | null;
}

type MutationKind = 'insert' | 'put' | 'update' | 'delete';

/** Response of a read (table GET/HEAD or set-returning RPC): range, count, status, body shape. */
function readOutcome(info: RequestInfo, plan: PlanNode | null, row: MainRow, planned: number | null, singleRow: boolean, maxRows: number): Outcome {
	const pageTotal = Number(row.page_total);
	let total = row.total === null ? null : Number(row.total);
	// PostgREST: planned is the planner's estimate; estimated is the exact count up to
	// max_rows (counted with LIMIT max_rows + 1) and past it the larger of the two.
	if (info.prefs.count === 'planned' && planned !== null) total = planned;
	else if (info.prefs.count === 'estimated' && planned !== null && total !== null && total > maxRows) total = Math.max(total, planned);
	const offset = info.query.offset.get('') ?? 0;
	const headers: Record<string, string> = { 'Content-Type': info.media.contentType };
	const range = pageTotal > 0 ? `${offset}-${offset + pageTotal - 1}` : '*';
	headers['Content-Range'] = `${range}/${total ?? '*'}`;
	const applied = appliedHeader(info.prefs, ['count', 'timezone']);
	if (applied) headers['Preference-Applied'] = applied;
	if (info.method === 'GET' || info.method === 'HEAD') headers['Content-Location'] = `/${info.target.name}${info.search}`;
	if (total !== null && offset > total) {
		throw new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', `An offset of ${offset} was requested, but there are only ${total} rows.`, null, {
			'Content-Range': `*/${total}`
		});
	}
	let status = total !== null && pageTotal < total ? 206 : 200;
	let body = row.body;
	if (info.media.kind === 'object' || singleRow) {
		if (info.media.kind === 'object' && pageTotal !== 1) throw singularityError(pageTotal);
		if (body !== null) body = pageTotal === 0 ? 'null' : body.slice(1, -1);
		status = 200;
	} else if (info.media.kind === 'csv' && body !== null && plan) {
		body = `${outputNames(plan).join(',')}\n${body}`;
	}
	return applyResponseGucs({ status, headers, body: info.method === 'HEAD' ? null : body }, row);
}

function plannedCount(result: StatementResult | undefined): number | null {
	const text = result?.rows[0]?.['QUERY PLAN'];
	if (!text) return null;
	const plan = JSON.parse(text) as Array<{ Plan?: { 'Plan Rows'?: number } }>;
	const rows = plan[0]?.Plan?.['Plan Rows'];
	return typeof rows === 'number' ? rows : null;
}

/**
 * `Accept: application/vnd.pgrst.plan`: the EXPLAIN of the request's main
 * statement, run as the request's role in its transaction (ANALYZE executes
 * it; Prefer: tx=rollback undoes a mutation), as PostgREST answers it.
 */
async function explainOutcome(ctx: RestContext, info: RequestInfo, statement: Statement, readOnly: boolean): Promise<Outcome> {
	const plan = info.media.plan!;
	const options = [`format ${plan.format}`, ...plan.options];
	const results = await runTransaction(ctx.pool, {
		readOnly,
		settings: info.settings,
		statements: [{ text: `explain (${options.join(', ')}) ${statement.text}`, values: statement.values }],
		end: info.prefs.tx === 'rollback' ? 'rollback' : 'commit'
	});
	const lines = results[0].rows.map((r) => r['QUERY PLAN'] ?? '');
	return { status: 200, headers: { 'Content-Type': plan.contentType }, body: info.method === 'HEAD' ? null : lines.join('\n') };
}

async function readTable(ctx: RestContext, info: RequestInfo, cache: SchemaCache): Promise<Outcome> {
	const relation = lookupRelation(cache, info.schema, info.target.name);
	const plan = planRead(cache, relationSource(relation), info.query);
	plan.limit = Math.min(plan.limit ?? ctx.maxRows, ctx.maxRows);
	const from = `${qualified(relation.schema, relation.name)} as ${quoteIdent(plan.alias)}`;
	const statements: Statement[] = [];
	const wantsPlanned = info.prefs.count === 'planned' || info.prefs.count === 'estimated';
	if (wantsPlanned) {
		const p = new SqlParams();
		statements.push({ text: `explain (format json) ${nodeQuery(plan, p, from, [], true)}`, values: p.values });
	}
	const params = new SqlParams();
	const text = readStatement(plan, params, {
		from,
		count: info.prefs.count === 'exact' || info.prefs.count === 'estimated',
		countLimit: info.prefs.count === 'estimated' ? ctx.maxRows + 1 : undefined,
		format: bodyFormat(info)
	});
	if (info.media.plan) return explainOutcome(ctx, info, { text, values: params.values }, true);
	statements.push({ text, values: params.values });
	const results = await runTransaction(ctx.pool, { readOnly: true, settings: info.settings, statements, end: 'commit' });
	const main = results[results.length - 1].rows[0] as unknown as MainRow;
	return readOutcome(info, plan, main, wantsPlanned ? plannedCount(results[0]) : null, false, ctx.maxRows);
}

function checkColumns(relation: Relation, names: string[]): Column[] {
	return names.map((n) => {
		const c = relation.columns.get(n);
		if (!c) throw columnNotFound(relation.name, n);
		return c;
	});
}

function payloadRows(body: unknown): Array<Record<string, unknown>> {
	const rows = body === undefined ? [{}] : Array.isArray(body) ? body : [body];
	for (const r of rows) {
		if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new PgrstError(400, 'PGRST102', 'Empty or invalid json');
	}
	return rows as Array<Record<string, unknown>>;
}

interface MutationPlan {
	mutation: string;
	readPlan: PlanNode;
	params: SqlParams;
}

/** Decides commit/rollback from the mutation's affected row count (single object, max-affected, tx). */
function mutationDecider(info: RequestInfo, allowMaxAffected: boolean): ((results: StatementResult[]) => 'commit' | 'rollback') | undefined {
	const strictMax = allowMaxAffected && info.prefs.handling === 'strict' && info.prefs.maxAffected !== null;
	if (info.media.kind !== 'object' && !strictMax) return undefined;
	return (results) => {
		const n = Number((results[results.length - 1].rows[0] as unknown as MainRow).page_total);
		if (strictMax && n > info.prefs.maxAffected!) {
			throw new PgrstError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${n} rows`);
		}
		if (info.media.kind === 'object' && n !== 1) throw singularityError(n);
		return info.prefs.tx === 'rollback' ? 'rollback' : 'commit';
	};
}

async function runMutation(ctx: RestContext, info: RequestInfo, relation: Relation, plan: MutationPlan, kind: MutationKind): Promise<Outcome> {
	const returnMode = info.prefs.return ?? 'minimal';
	const format: BodyFormat = returnMode === 'representation' ? bodyFormat(info) : returnMode === 'headers-only' ? 'json' : 'none';
	const upsert = kind === 'put' || (kind === 'insert' && info.prefs.resolution === 'merge-duplicates');
	const text = readStatement(plan.readPlan, plan.params, {
		withClause: `with pgrst_source as (${plan.mutation})`,
		from: `pgrst_source as ${quoteIdent(plan.readPlan.alias)}`,
		count: false,
		format,
		inserted: upsert ? INSERTED_COUNT : undefined
	});
	if (info.media.plan) return explainOutcome(ctx, info, { text, values: plan.params.values }, false);
	let decide = mutationDecider(info, kind === 'update' || kind === 'delete');
	if (kind === 'put') {
		const inner = decide;
		decide = (results) => {
			// PostgREST's failPut: the payload's key must be the URL's, one row.
			if (Number((results[results.length - 1].rows[0] as unknown as MainRow).page_total) !== 1) {
				throw new PgrstError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)');
			}
			return inner ? inner(results) : info.prefs.tx === 'rollback' ? 'rollback' : 'commit';
		};
	}
	const results = await runTransaction(ctx.pool, {
		readOnly: false,
		settings: info.settings,
		statements: [{ text, values: plan.params.values }],
		end: info.prefs.tx === 'rollback' ? 'rollback' : 'commit',
		decide
	});
	const row = results[0].rows[0] as unknown as MainRow;
	const n = Number(row.page_total);
	const headers: Record<string, string> = {};
	// PostgREST: inserts and deletes answer "*/total", updates the affected range; PUT none.
	const total = info.prefs.count ? n : '*';
	if (kind === 'update') headers['Content-Range'] = `${n > 0 ? `0-${n - 1}` : '*'}/${total}`;
	else if (kind !== 'put') headers['Content-Range'] = `*/${total}`;
	const applied = appliedHeader(info.prefs, ['return', 'count', 'resolution', 'missing', 'timezone', 'tx', 'handling', 'max-affected']);
	if (applied) headers['Preference-Applied'] = applied;
	const inserted = row.inserted === undefined || row.inserted === null ? 0 : Number(row.inserted);
	let status: number;
	if (kind === 'insert') status = upsert && inserted <= 0 ? 200 : 201;
	else if (returnMode !== 'representation') status = 204;
	else status = kind === 'put' && inserted > 0 ? 201 : 200;
	let body: string | null = null;
	if (returnMode === 'representation') {
		headers['Content-Type'] = info.media.contentType;
		body = row.body;
		if (body !== null && info.media.kind === 'object') body = body.slice(1, -1);
		else if (body !== null && info.media.kind === 'csv') body = `${outputNames(plan.readPlan).join(',')}\n${body}`;
	} else if (returnMode === 'headers-only' && kind === 'insert' && row.body && relation.primaryKey.length > 0) {
		const first = (JSON.parse(row.body) as Array<Record<string, unknown>>)[0];
		if (first) {
			const q = relation.primaryKey.map((k) => `${encodeURIComponent(k)}=eq.${encodeURIComponent(String(first[k]))}`).join('&');
			headers.Location = `/${relation.name}?${q}`;
		}
	}
	return applyResponseGucs({ status, headers, body }, row);
}

function planMutationRead(cache: SchemaCache, info: RequestInfo, relation: Relation): PlanNode {
	const returnMode = info.prefs.return ?? 'minimal';
	let select: SelectItem[] = [];
	if (returnMode === 'representation') select = info.query.select;
	else if (returnMode === 'headers-only') select = relation.primaryKey.map((k) => ({ kind: 'field', field: { name: k, path: [] }, alias: null, cast: null }));
	return planRead(cache, mutationSource(relation), splitParams(info.query, 'embeds', select));
}

/** PUT: one row upserted by its primary key, the key given as `pk=eq.value` filters. */
function putConditions(info: RequestInfo, relation: Relation, params: SqlParams): string[] {
	if ((info.query.limit.get('') ?? null) !== null || (info.query.offset.get('') ?? null) !== null) {
		throw new PgrstError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT');
	}
	const filters = info.query.filters.get('') ?? [];
	const names = new Set(filters.map((f) => f.field.name));
	const pk = relation.primaryKey;
	const ok =
		pk.length > 0 &&
		(info.query.logic.get('') ?? []).length === 0 &&
		names.size === pk.length &&
		pk.every((k) => names.has(k)) &&
		filters.every((f) => !f.negate && f.field.path.length === 0 && f.operation.op === 'eq' && f.operation.quantifier === null);
	if (!ok) throw new PgrstError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators");
	return filters.map((f) => `pgrst_body.${quoteIdent(f.field.name)} = ${params.add((f.operation as { value: string }).value)}`);
}

async function insertRows(ctx: RestContext, info: RequestInfo, cache: SchemaCache, kind: 'insert' | 'put'): Promise<Outcome> {
	const relation = lookupRelation(cache, info.schema, info.target.name);
	const rows = payloadRows(info.body);
	let names: string[];
	if (info.query.columns) names = info.query.columns;
	else {
		names = Object.keys(rows[0] ?? {});
		const key = [...names].sort().join('\u0000');
		for (const r of rows) if ([...Object.keys(r)].sort().join('\u0000') !== key) throw new PgrstError(400, 'PGRST102', 'All object keys must match');
	}
	const columns = checkColumns(relation, names);
	const params = new SqlParams();
	const payloadConditions = kind === 'put' ? putConditions(info, relation, params) : [];
	const onConflict = kind === 'put' ? relation.primaryKey : (info.query.onConflict ?? relation.primaryKey);
	checkColumns(relation, onConflict);
	const readPlan = planMutationRead(cache, info, relation);
	const extra = info.prefs.return === 'headers-only' ? relation.primaryKey : [];
	const resolution = kind === 'put' ? 'merge-duplicates' : info.prefs.resolution;
	const mutation = insertSql(
		relation,
		JSON.stringify(rows),
		{
			columns,
			missingDefault: kind === 'insert' && info.prefs.missing === 'default',
			resolution,
			onConflict,
			returning: info.prefs.return === 'representation' || info.prefs.return === 'headers-only' ? mutationReturning(relation, readPlan, extra) : [],
			rowCount: rows.length,
			countInserted: resolution === 'merge-duplicates',
			payloadConditions
		},
		params
	);
	return runMutation(ctx, info, relation, { mutation, readPlan, params }, kind);
}

async function updateOrDelete(ctx: RestContext, info: RequestInfo, cache: SchemaCache, kind: 'update' | 'delete'): Promise<Outcome> {
	const relation = lookupRelation(cache, info.schema, info.target.name);
	const filterNode = planRead(cache, relationSource(relation), splitParams(info.query, 'root', []));
	const readPlan = planMutationRead(cache, info, relation);
	const returning = info.prefs.return === 'representation' ? mutationReturning(relation, readPlan, []) : [];
	const params = new SqlParams();
	let mutation: string;
	if (kind === 'update') {
		const body = info.body === undefined ? {} : info.body;
		if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PgrstError(400, 'PGRST102', 'Empty or invalid json');
		const columns = checkColumns(relation, info.query.columns ?? Object.keys(body));
		mutation = updateSql(relation, JSON.stringify(body), columns, filterNode, returning, params);
	} else {
		mutation = deleteSql(relation, filterNode, returning, params);
	}
	return runMutation(ctx, info, relation, { mutation, readPlan, params }, kind);
}

async function callRoutine(ctx: RestContext, info: RequestInfo, cache: SchemaCache): Promise<Outcome> {
	const isRead = info.method === 'GET' || info.method === 'HEAD';
	const overloads = cache.routines.get(relationKey(info.schema, info.target.name)) ?? [];
	let args: Record<string, unknown> = {};
	let query = info.query;
	if (isRead) {
		// Parameters naming a function argument are arguments; the rest filter the result.
		const argNames = new Set(overloads.flatMap((r) => r.params.map((p) => p.name)).filter((n) => n !== ''));
		const taken = new Set<string>();
		for (const [k, v] of info.query.raw) {
			if (!argNames.has(k) && info.query.plain.every(([pk]) => pk !== k)) continue;
			taken.add(k);
			const prev = args[k];
			args[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
		}
		const rootFilters = (info.query.filters.get('') ?? []).filter((f) => !(taken.has(f.field.name) && f.field.path.length === 0));
		const filters = new Map(info.query.filters);
		if (rootFilters.length) filters.set('', rootFilters);
		else filters.delete('');
		query = { ...info.query, filters };
	} else if (info.hasBody && info.bodyKind !== 'json') {
		args = info.bodyKind === null ? (info.body as Record<string, unknown>) : {};
	} else if (info.hasBody) {
		if (typeof info.body === 'object' && info.body !== null && !Array.isArray(info.body)) args = info.body as Record<string, unknown>;
	}
	const choice = chooseRoutine(cache, info.schema, info.target.name, Object.keys(args), isRead ? null : info.bodyKind);
	const routine = choice.routine;
	const params = new SqlParams();
	const from = callFrom(choice, choice.wholeBody ? info.body : args, params);
	const readOnly = isRead || routine.volatility !== 'v';
	const strictMax = info.prefs.handling === 'strict' && info.prefs.maxAffected !== null;
	if (strictMax && !routine.returnsSet) {
		throw new PgrstError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict');
	}
	let text: string;
	let plan: PlanNode | null = null;
	if (routine.returnKind === 'composite') {
		// A table's row type: its computed fields and relationships apply to the rows returned.
		const columns = routine.returnRelation?.readColumns ?? new Map(routine.returnColumns.map((c) => [c.name, c]));
		const source: Source = { name: routine.name, relation: routine.returnRelation, columns, columnList: routine.returnColumns, rowTyped: true };
		plan = planRead(cache, source, query);
		if (routine.returnsSet) plan.limit = Math.min(plan.limit ?? ctx.maxRows, ctx.maxRows);
		text = readStatement(plan, params, { from, count: info.prefs.count !== null, format: bodyFormat(info) });
	} else {
		const value = `${quoteIdent('pgrst_0')}.pgrst_scalar`;
		const body =
			routine.returnKind === 'void' || info.method === 'HEAD'
				? 'null::text'
				: routine.returnsSet
					? `coalesce(json_agg(${value}), '[]')::text`
					: `(json_agg(${value})->0)::text`;
		text = `select null::bigint as total, pg_catalog.count(*) as page_total, ${body} as body, ${RESPONSE_GUCS} from ${from}`;
	}
	if (info.media.plan) return explainOutcome(ctx, info, { text, values: params.values }, readOnly);
	const decide =
		strictMax || (!readOnly && info.media.kind === 'object')
			? (results: StatementResult[]) => {
					const n = Number((results[0].rows[0] as unknown as MainRow).page_total);
					if (strictMax && n > info.prefs.maxAffected!) {
						throw new PgrstError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${n} rows`);
					}
					if (info.media.kind === 'object' && routine.returnsSet && n !== 1) throw singularityError(n);
					return info.prefs.tx === 'rollback' ? ('rollback' as const) : ('commit' as const);
				}
			: undefined;
	const results = await runTransaction(ctx.pool, {
		readOnly,
		settings: info.settings,
		statements: [{ text, values: params.values }],
		end: info.prefs.tx === 'rollback' ? 'rollback' : 'commit',
		decide
	});
	const row = results[0].rows[0] as unknown as MainRow;
	if (routine.returnKind === 'void') {
		return applyResponseGucs({ status: 204, headers: {}, body: null }, row);
	}
	if (routine.returnsSet) {
		const outcome = readOutcome(info, plan, row, null, false, ctx.maxRows);
		const applied = appliedHeader(info.prefs, ['count', 'timezone', 'tx', 'handling', 'max-affected']);
		if (applied) outcome.headers['Preference-Applied'] = applied;
		return outcome;
	}
	const headers: Record<string, string> = { 'Content-Type': info.media.kind === 'csv' ? 'application/json; charset=utf-8' : info.media.contentType };
	let body = row.body;
	if (routine.returnKind === 'composite' && body !== null) body = Number(row.page_total) === 0 ? 'null' : body.slice(1, -1);
	return applyResponseGucs({ status: 200, headers, body: info.method === 'HEAD' ? null : body }, row);
}

async function route(ctx: RestContext, info: RequestInfo, cache: SchemaCache): Promise<Outcome> {
	if (info.target.kind === 'rpc') {
		if (info.method !== 'GET' && info.method !== 'HEAD' && info.method !== 'POST') {
			throw new PgrstError(405, 'PGRST101', `Cannot use the ${info.method} method on RPC`);
		}
		return callRoutine(ctx, info, cache);
	}
	switch (info.method) {
		case 'GET':
		case 'HEAD':
			return readTable(ctx, info, cache);
		case 'POST':
			return insertRows(ctx, info, cache, 'insert');
		case 'PUT':
			return insertRows(ctx, info, cache, 'put');
		case 'PATCH':
			return updateOrDelete(ctx, info, cache, 'update');
		default:
			return updateOrDelete(ctx, info, cache, 'delete');
	}
}

/**
 * The `Range: lower-[upper]` request header (GET only, as PostgREST: other
 * methods ignore it), intersected with the root's limit/offset.
 */
function applyRangeHeader(query: QueryParams, range: string | undefined): void {
	const m = range === undefined ? null : /^([0-9]+)-([0-9]*)$/.exec(range.trim());
	if (!m) return;
	const lower = Number(m[1]);
	const upper = m[2] === '' ? Infinity : Number(m[2]);
	if (lower > upper) {
		throw new PgrstError(416, 'PGRST103', 'Requested range not satisfiable', 'The lower boundary must be lower than or equal to the upper boundary in the Range header.');
	}
	const offset = query.offset.get('') ?? 0;
	const limit = query.limit.get('');
	const from = Math.max(lower, offset);
	const to = Math.min(upper, limit === undefined ? Infinity : offset + limit - 1);
	query.offset.set('', from);
	if (to !== Infinity) query.limit.set('', Math.max(0, to - from + 1));
}

/** Media types the root answers with its OpenAPI document (PostgREST's MTOpenAPI, JSON, any). */
const OPENAPI_ACCEPTS = new Set(['application/openapi+json', 'application/json', 'application/*', '*/*']);

/** `GET /rest/v1/`: the OpenAPI document of the profile's schema, as the caller's role sees it. */
async function serveRoot(ctx: RestContext, api: ApiRequest, method: string, role: RequestRole): Promise<void> {
	const { req, res } = api;
	if (method !== 'GET' && method !== 'HEAD') throw new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
	const schema = pickSchema(ctx, header(req, 'accept-profile'));
	const accept = header(req, 'accept');
	if (accept && accept.trim() !== '') {
		const offered = accept.split(',').map((s) => s.split(';')[0].trim().toLowerCase()).filter(Boolean);
		if (!offered.some((t) => OPENAPI_ACCEPTS.has(t))) throw new PgrstError(406, 'PGRST107', `None of these media types are available: ${offered.join(', ')}`);
	}
	const prefs = parsePrefer(req.headers.prefer, ctx.schemaWatch.current().timezones);
	let body: string;
	try {
		body = await openApiDocument(ctx.schemaWatch.current(), {
			pool: ctx.pool,
			settings: requestSettings(ctx, req, role, method, api.path, schema, prefs),
			schema,
			host: header(req, 'host') ?? 'localhost'
		});
	} catch (error) {
		throw fromDatabaseError(error, role.authed);
	}
	res.writeHead(200, { 'Content-Type': 'application/openapi+json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
	res.end(method === 'HEAD' ? undefined : body);
}

export async function handleRest(ctx: RestContext, api: ApiRequest): Promise<void> {
	const arrived = Date.now();
	const { req, res, url } = api;
	const method = (req.method ?? 'GET').toUpperCase();
	if (!METHODS.has(method)) throw new PgrstError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
	const role = ctx.resolveRole(api.token);
	const segments = api.path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
	let target: RequestInfo['target'];
	if (segments.length === 1 && segments[0] !== 'rpc') target = { kind: 'table', name: segments[0] };
	else if (segments.length === 2 && segments[0] === 'rpc') target = { kind: 'rpc', name: segments[1] };
	else if (segments.length === 0) return serveRoot(ctx, api, method, role);
	else throw new PgrstError(404, 'PGRST125', 'Invalid path specified in request URL');

	const isRead = method === 'GET' || method === 'HEAD';
	const schema = pickSchema(ctx, header(req, isRead ? 'accept-profile' : 'content-profile'));
	const query = parseQueryParams(url.searchParams, target.kind === 'rpc');
	if (method === 'GET') applyRangeHeader(query, header(req, 'range'));
	const prefs = parsePrefer(req.headers.prefer, ctx.schemaWatch.current().timezones);
	const media = negotiate(header(req, 'accept'), ctx.schemaWatch.current().planEnabled);
	const payload: Payload = method === 'POST' || method === 'PATCH' || method === 'PUT' ? await readPayload(req, target.kind === 'rpc') : { body: undefined, present: false, kind: null };
	const info: RequestInfo = {
		method,
		schema,
		target,
		query,
		prefs,
		media,
		body: payload.body,
		hasBody: payload.present,
		bodyKind: method === 'POST' ? payload.kind : null,
		role,
		settings: requestSettings(ctx, req, role, method, api.path, schema, prefs),
		path: api.path,
		search: url.search
	};

	let outcome: Outcome;
	try {
		try {
			outcome = await route(ctx, info, ctx.schemaWatch.current());
		} catch (error) {
			if (!(error instanceof SchemaMissError)) throw error;
			// The cache may predate DDL committed just before this request: reload once and retry.
			const fresh = await ctx.schemaWatch.refresh(arrived);
			outcome = await route(ctx, info, fresh);
		}
	} catch (error) {
		throw fromDatabaseError(error, role.authed);
	}
	const headers = { ...outcome.headers };
	if (outcome.body !== null) headers['Content-Length'] = String(Buffer.byteLength(outcome.body));
	res.writeHead(outcome.status, headers);
	res.end(outcome.body ?? undefined);
}
