// One rule for an email address, in three places that must agree: the web
// app's zod schema (src/lib/forms/email.ts), the edge functions' checks
// (supabase/functions/_shared/emails.ts: emailProblem) and the database
// (private.is_email_address, which share_job, invite_team_member and the
// tables' checks use). Each tricky address below is put to all three; any
// address one accepts and another refuses fails the test, so the rule
// cannot drift in one language alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUser, attempt, createUser, openTestDatabase, withActor, type TestDatabase } from '../helpers/db.ts';
import { emailAddressSchema } from '../../src/lib/forms/email.ts';
import { emailProblem } from '../../supabase/functions/_shared/emails.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(2);
});
afterAll(async () => {
	await db?.close();
});

const label63 = 'a'.repeat(63);
/** [address as a person might type it, accepted?] */
const TRICKY: Array<[string, boolean]> = [
	['ada@example.org', true],
	['  Ada.Lovelace@Example.ORG ', true],
	['first.last+tag@sub.example.co.uk', true],
	["o'brien@example.ie", true],
	['x@example.io', true],
	['a!#$%&*/=?^_`{|}~-b@example.com', true],
	['user@xn--bcher-kva.example', true],
	['user@123.example', true],
	['user@my-lab.example', true],
	[`${'a'.repeat(64)}@example.com`, true],
	[`${'a'.repeat(65)}@example.com`, false],
	[`a@${label63}.${label63}.${label63}.${'b'.repeat(56)}.com`, true], // 254 characters
	[`a@${label63}.${label63}.${label63}.${'b'.repeat(57)}.com`, false], // 255
	[`a@${'a'.repeat(64)}.com`, false], // a label of 64
	['', false],
	['   ', false],
	['plainaddress', false],
	['@example.com', false],
	['ada@', false],
	['ada@@example.com', false],
	['ada@bob@example.com', false],
	['ada@localhost', false],
	['ada@example', false],
	['ada@example.c', false],
	['ada@example.c0m', true],
	['ada@example.1com', false],
	['ada@example.com.', false],
	['ada@.example.com', false],
	['ada@example..com', false],
	['ada@-example.com', false],
	['ada@example-.com', false],
	['.ada@example.com', false],
	['ada.@example.com', false],
	['a..da@example.com', false],
	['ada lovelace@example.com', false],
	['ada@exa mple.com', false],
	['ada@example.com\r\nBcc: eve@example.com', false],
	['ada@example.com\nx', false],
	['ada\t@example.com', false],
	['Ada <ada@example.com>', false],
	['"ada"@example.com', false],
	['ada,bob@example.com', false],
	['ada;bob@example.com', false],
	['ada(comment)@example.com', false],
	['ada@[127.0.0.1]', false],
	['ada\\@example.com', false],
	['ada:x@example.com', false],
	['ädä@example.com', false],
	['ada@exämple.com', false],
	['ada@example.com\u0000', false],
	['ada@ex_ample.com', false]
];

const normalise = (address: string) => address.trim().toLowerCase();

describe('the email rule', () => {
	it('the zod schema, the edge functions and the database accept exactly the same addresses', async () => {
		const { rows } = await db.pool.query<{ address: string; valid: boolean | null }>(
			`select a as address, private.is_email_address(a) as valid from unnest($1::text[]) as a`,
			[TRICKY.map(([address]) => normalise(address).replace(/\u0000/g, '\u0001'))]
		);
		const verdicts = TRICKY.map(([address, expected], index) => ({
			address,
			expected,
			zod: emailAddressSchema.safeParse(address).success,
			functions: emailProblem(normalise(address)) === null,
			// PostgreSQL text cannot hold NUL; its stand-in, another control character, is refused the same way.
			database: rows[index].valid === true
		}));
		for (const verdict of verdicts) expect(verdict).toEqual({ ...verdict, zod: verdict.expected, functions: verdict.expected, database: verdict.expected });
	});

	it('share_job refuses what the rule refuses, and stores what it accepts, normalised', async () => {
		const user = await createUser(db.pool);
		const { rows } = await db.pool.query(
			`insert into public.jobs (team_id, tool_id, submitted_by, name, input) values ($1, 'protein-properties', $2, 'job', '{"sequences":[{"id":"P1","sequence":"MKV"}]}') returning id`,
			[user.teamId, user.id]
		);
		const jobId: string = rows[0].id;
		const shares = await withActor(db.pool, asUser(user), async (c) => {
			const results: Array<{ address: string; stored: string | null; error: string | null }> = [];
			for (const address of ['  Ada@Example.org ', 'ada@localhost', 'ada@example.c', 'a..b@example.org']) {
				const { rows, error } = await attempt(c, 'select email from public.share_job($1, $2)', [jobId, address]);
				results.push({ address, stored: rows[0]?.email ?? null, error: error?.message ?? null });
			}
			return results;
		});
		expect(shares).toEqual([
			{ address: '  Ada@Example.org ', stored: 'ada@example.org', error: null },
			{ address: 'ada@localhost', stored: null, error: 'not an email address: "ada@localhost"' },
			{ address: 'ada@example.c', stored: null, error: 'not an email address: "ada@example.c"' },
			{ address: 'a..b@example.org', stored: null, error: 'not an email address: "a..b@example.org"' }
		]);
	});

	it('a row written around the RPCs still holds to the rule', async () => {
		const user = await createUser(db.pool);
		await expect(
			db.pool.query(`insert into public.team_invites (team_id, email, role, invited_by) values ($1, 'eve@localhost', 'member', $2)`, [user.teamId, user.id])
		).rejects.toThrow(/team_invites_email_is_address/);
	});
});
