// Limits that exist in both languages, each one constant in TypeScript: a
// job's name (src/lib/jobs/job-name.ts) and docking's exhaustiveness
// (src/lib/tools/docking/schema.ts). The forms check them before sending and
// the database decides; here every value is put to both, and a value one
// accepts and the other refuses fails the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { JOB_NAME_MAX, jobNameSchema } from '../../src/lib/jobs/job-name.ts';
import { EXHAUSTIVENESS, settingsSchema } from '../../src/lib/tools/docking/schema.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(1);
});
afterAll(async () => {
	await db?.close();
});

/** Whether a statement runs, or the error it raises (any other failure is not a refusal). */
async function accepts(sql: string, params: unknown[]): Promise<boolean> {
	try {
		await db.pool.query(sql, params);
		return true;
	} catch (error) {
		if ((error as { code?: string }).code !== '22023') throw error;
		return false;
	}
}

describe('job name', () => {
	// The database trims spaces (btrim), the schema all white space; the app
	// sends the trimmed name, so names padded with tabs are left out here.
	const names = [
		'',
		'   ',
		'a',
		'  Insulin, chain A  ',
		'x'.repeat(JOB_NAME_MAX),
		` ${'x'.repeat(JOB_NAME_MAX)} `,
		'x'.repeat(JOB_NAME_MAX + 1),
		'🧬'.repeat(JOB_NAME_MAX),
		'🧬'.repeat(JOB_NAME_MAX + 1),
		'é'.repeat(JOB_NAME_MAX + 1)
	];

	it('the database refuses exactly the names the schema refuses (private.check_job_name: submit, rename, duplicate)', async () => {
		const verdicts = [];
		for (const name of names) {
			verdicts.push({
				name,
				schema: jobNameSchema.safeParse(name).success,
				check: await accepts('select private.check_job_name($1, null)', [name])
			});
		}
		for (const v of verdicts) expect(v).toEqual({ ...v, check: v.schema });
	});
});

describe('docking exhaustiveness', () => {
	const values: unknown[] = [undefined, EXHAUSTIVENESS.min - 1, EXHAUSTIVENESS.min, EXHAUSTIVENESS.default, EXHAUSTIVENESS.max, EXHAUSTIVENESS.max + 1, 8.5, -8, 1000, '8', null, true];

	it('price_docking refuses exactly the values the settings schema refuses', async () => {
		const verdicts = [];
		for (const value of values) {
			const settings = value === undefined ? {} : { exhaustiveness: value };
			verdicts.push({
				value,
				schema: settingsSchema.safeParse(settings).success,
				database: await accepts(`select public.price_docking('{"ligands": [{}]}', $1::jsonb)`, [JSON.stringify(settings)])
			});
		}
		for (const v of verdicts) expect(v).toEqual({ ...v, database: v.schema });
		expect(verdicts.filter((v) => v.schema).length).toBeGreaterThan(2);
		expect(verdicts.filter((v) => !v.schema).length).toBeGreaterThan(2);
	});
});
