// The database's tool catalog and src/lib/tools/catalog.ts are one source of
// truth: every field of every tool agrees, and the calculator functions named
// by the catalog exist with the signature it promises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolCatalog, type ToolCatalogEntry } from '../../src/lib/tools/catalog.ts';
import { formSpec } from '../../src/lib/tools-ui/form-spec.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
	db = await openTestDatabase(1);
});
afterAll(async () => {
	await db.close();
});

interface ToolRow {
	id: string;
	name: string;
	version: string;
	category: string;
	description: string;
	compute_class: string;
	input_kind: string;
	items_field: string;
	pricing_kind: string;
	pricing_credits: number | null;
	pricing_unit: string | null;
	pricing_fn: string | null;
	pricing_description: string | null;
	time_limit_seconds: number;
	max_input_bytes: number;
	max_items: number;
	enabled: boolean;
}

/** The catalog entry as the database stores it. */
function asRow(t: ToolCatalogEntry): ToolRow {
	const p = t.pricing;
	return {
		id: t.id,
		name: t.name,
		version: t.version,
		category: t.category,
		description: t.description,
		compute_class: t.computeClass,
		input_kind: t.inputKind,
		items_field: t.itemsField,
		pricing_kind: p.kind,
		pricing_credits: p.kind === 'flat' || p.kind === 'per_input' || p.kind === 'per_structure' ? p.credits : null,
		pricing_unit: p.kind === 'per_input' ? p.unit : null,
		pricing_fn: p.kind === 'calculator' ? p.fn : null,
		pricing_description: p.kind === 'calculator' ? p.description : null,
		time_limit_seconds: t.timeLimitSeconds,
		max_input_bytes: t.maxInputBytes,
		max_items: t.maxItems,
		enabled: t.enabled
	};
}

describe('tools catalog', () => {
	it('holds exactly the tools of the TypeScript registry, field for field', async () => {
		const { rows } = await db.pool.query<ToolRow>('select * from public.tools order by id');
		const expected = toolCatalog.map(asRow).sort((a, b) => a.id.localeCompare(b.id));
		expect(rows).toEqual(expected);
		// Every catalog field is mirrored: a new field in catalog.ts must get a column (and a line in asRow).
		const mirrored = ['id', 'name', 'version', 'category', 'description', 'computeClass', 'inputKind', 'itemsField', 'pricing', 'timeLimitSeconds', 'maxInputBytes', 'maxItems', 'enabled'];
		for (const t of toolCatalog) expect(Object.keys(t).sort()).toEqual([...mirrored].sort());
	});

	it('has the calculator function each calculator-priced tool names', async () => {
		for (const t of toolCatalog) {
			if (t.pricing.kind !== 'calculator') continue;
			const { rows } = await db.pool.query(
				`select p.prorettype::regtype::text as returns from pg_proc p join pg_namespace n on n.oid = p.pronamespace
				 where n.nspname = 'public' and p.proname = $1 and pg_get_function_identity_arguments(p.oid) = 'input jsonb, settings jsonb'`,
				[t.pricing.fn]
			);
			expect(rows, t.pricing.fn).toEqual([{ returns: 'integer' }]);
		}
	});

	it('can be read by anyone and changed by no client', async () => {
		const client = await db.pool.connect();
		try {
			for (const role of ['anon', 'authenticated']) {
				await client.query('begin');
				await client.query(`select set_config('role', $1, true)`, [role]);
				const { rows } = await client.query('select count(*)::int as n from public.tools');
				expect(rows[0].n).toBe(toolCatalog.length);
				await expect(client.query(`update public.tools set enabled = true`)).rejects.toThrow(/permission denied/);
				await client.query('rollback');
			}
		} finally {
			client.release();
		}
	});

	it('prices docking at 2 credits per ligand for each started 8 units of exhaustiveness', async () => {
		const q = (input: unknown, settings: unknown) =>
			db.pool.query('select public.price_docking($1, $2) as c', [input, settings]).then((r) => r.rows[0].c);
		const ligands = (n: number) => ({ receptor: { name: 'r' }, ligands: Array.from({ length: n }, () => ({ smiles: 'CCO' })) });
		expect(await q(ligands(3), {})).toBe(6);
		expect(await q(ligands(3), { exhaustiveness: 8 })).toBe(6);
		expect(await q(ligands(3), { exhaustiveness: 9 })).toBe(12);
		expect(await q(ligands(1), { exhaustiveness: 32 })).toBe(8);
		await expect(q(ligands(1), { exhaustiveness: -8 })).rejects.toThrow(/exhaustiveness must be a whole number from 1 to 32, not -8/);
		await expect(q(ligands(1), { exhaustiveness: 33 })).rejects.toThrow(/from 1 to 32, not 33/);
		await expect(q(ligands(1), { exhaustiveness: 'high' })).rejects.toThrow(/exhaustiveness must be a number, not string/);
	});

	it('the exhaustiveness hint on the docking form states the prices price_docking charges', async () => {
		// It said "the price doubles for each started 8" while the price rises by 2 credits a step.
		const hint = formSpec('docking').settings.exhaustiveness?.hint ?? '';
		const stated = [...hint.matchAll(/(\d+)(?: credits)? up to (\d+)/g)].map((m) => ({ credits: Number(m[1]), exhaustiveness: Number(m[2]) }));
		expect(stated.length, hint).toBe(4);
		for (const { credits, exhaustiveness } of stated) {
			for (const e of [exhaustiveness - 7, exhaustiveness]) {
				const { rows } = await db.pool.query('select public.price_docking($1, $2) as c', [{ ligands: [{ smiles: 'CCO' }] }, { exhaustiveness: e }]);
				expect(rows[0].c, `exhaustiveness ${e}`).toBe(credits);
			}
		}
	});

	it('prices structure prediction at 1 credit per started 100 residues, at least 5 per sequence', async () => {
		const q = (lengths: number[]) =>
			db.pool
				.query('select public.price_structure_prediction($1, $2) as c', [{ sequences: lengths.map((n, i) => ({ id: `s${i}`, sequence: 'A'.repeat(n) })) }, {}])
				.then((r) => r.rows[0].c);
		expect(await q([50])).toBe(5);
		expect(await q([500])).toBe(5);
		expect(await q([501])).toBe(6);
		expect(await q([1000, 10, 2001])).toBe(10 + 5 + 21);
		await expect(
			db.pool.query('select public.price_structure_prediction($1, $2)', [{ sequences: [{ id: 'x', sequence: 12 }] }, {}])
		).rejects.toThrow(/sequences\[0\]\.sequence must be a string/);
	});
});
