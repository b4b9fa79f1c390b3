// `npm run credits -- grant <team> <amount> --reason "…"`, run as an operator
// runs it (npm, DATABASE_URL): the grant lands in the team's ledger with its
// reason; bad amounts, a missing reason, an unknown or ambiguous team and a
// missing DATABASE_URL are refused with a message and nothing is written.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, openTestDatabase, type TestDatabase } from '../helpers/db.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

function credits(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: db.url }): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile('npm', ['run', 'credits', '--', ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
			resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
		});
	});
}

async function ledger(teamId: string) {
	return (await db.pool.query('select reason, delta, memo from public.credit_ledger where team_id = $1 order by id', [teamId])).rows;
}

describe('npm run credits', () => {
	it('grants a team credits by its id, with the reason in its ledger', async () => {
		const user = await createUser(db.pool);
		const run = await credits(['grant', user.teamId, '250', '--reason', 'Pilot project, approved by Ada']);
		expect(run.stderr).toBe('');
		expect(run.code).toBe(0);
		expect(run.stdout).toContain(`Granted 250 credits to "${user.email.split('@')[0]}'s workspace" (team ${user.teamId}).\nBalance: 350 credits. Reason: "Pilot project, approved by Ada" (ledger entry `);
		expect(await ledger(user.teamId)).toEqual([
			{ reason: 'grant', delta: 100, memo: 'Starting credits' },
			{ reason: 'grant', delta: 250, memo: 'Pilot project, approved by Ada' }
		]);
	});

	it('finds a team by its name, whatever the case, and asks for the id when several share it', async () => {
		const owner = await createUser(db.pool);
		const name = `Structural Lab ${owner.id.slice(0, 6)}`;
		const { rows } = await db.pool.query('insert into public.teams (name, created_by) values ($1, $2) returning id', [name, owner.id]);
		const run = await credits(['grant', name.toUpperCase(), '40', `--reason=Workshop`]);
		expect(run.code).toBe(0);
		expect(run.stdout).toContain(`Granted 40 credits to "${name}" (team ${rows[0].id}).`);
		expect(await ledger(rows[0].id)).toEqual([{ reason: 'grant', delta: 40, memo: 'Workshop' }]);

		await db.pool.query('insert into public.teams (name, created_by) values ($1, $2)', [name, owner.id]);
		const twice = await credits(['grant', name, '40', '--reason', 'Workshop']);
		expect(twice.code).toBe(1);
		expect(twice.stderr).toContain(`credits: 2 teams are called "${name}"; give the id of the one you mean:\n  ${rows[0].id}  ${name} (created by ${owner.email}, 0 members)`);
		expect(await ledger(rows[0].id)).toHaveLength(1);
	});

	it.each([
		[['0'], 1, 'credits: refused: a grant must be at least 1 credit, not 0'],
		[['-50'], 1, 'credits: refused: a grant must be at least 1 credit, not -50\n  To take credits away, add an adjustment instead.'],
		[['2.5'], 1, 'credits: refused: a grant is a whole number of credits, not 2.5'],
		[['1000000'], 1, 'credits: refused: a grant of 1000000 credits is more than one grant may give (100000)\n  Check the amount for a typo; to give more, make several grants.'],
		[['lots'], 2, 'credits: the amount is a number of credits, like 500, not "lots"'],
		[['1e9'], 2, 'credits: the amount is a number of credits, like 500, not "1e9"']
	])('refuses the amount %j, writing nothing', async ([amount], code, message) => {
		const user = await createUser(db.pool);
		const run = await credits(['grant', user.teamId, amount, '--reason', 'r']);
		expect(run.code).toBe(code);
		expect(run.stderr).toContain(message);
		expect(await ledger(user.teamId)).toHaveLength(1);
	});

	it('refuses a grant without a reason, for no team, or without DATABASE_URL', async () => {
		const user = await createUser(db.pool);
		const noReason = await credits(['grant', user.teamId, '10']);
		expect(noReason.code).toBe(2);
		expect(noReason.stderr).toContain('credits: say why with --reason "…": the team sees it in its credit history');
		expect(noReason.stderr).toContain('usage: npm run credits -- grant <team id or name> <credits> --reason "why"');
		const blank = await credits(['grant', user.teamId, '10', '--reason', '  ']);
		expect(blank.code).toBe(1);
		expect(blank.stderr).toContain('credits: refused: a grant needs a reason: the team sees it in its credit history');
		const nobody = await credits(['grant', 'No Such Team', '10', '--reason', 'r']);
		expect(nobody.code).toBe(1);
		expect(nobody.stderr).toContain('credits: no team has the id or name "No Such Team"');
		const noDatabase = await credits(['grant', user.teamId, '10', '--reason', 'r'], {});
		expect(noDatabase.code).toBe(2);
		expect(noDatabase.stderr).toContain('credits: DATABASE_URL must be set to the postgres:// connection string of the Foldwork database');
		expect(await ledger(user.teamId)).toHaveLength(1);
	});
});
