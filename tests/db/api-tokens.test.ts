// Personal access tokens in the database (supabase/migrations/20261209830000_api_tokens.sql,
// 20261209830100_api_token_authentication.sql): the secret is shown once and
// stored only as its SHA-256; each person sees and revokes only their own;
// a token is only for a team its person belongs to; tokens cannot make
// tokens; and authentication refuses unknown, revoked and expired tokens
// and a person who left the team at once, and rate-limits per token.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anon, asUser, attempt, createUser, openTestDatabase, withActor, type TestDatabase, type TestUser } from '../helpers/db.ts';

let db: TestDatabase;
let ada: TestUser;
let eve: TestUser;

beforeAll(async () => {
	db = await openTestDatabase(4);
	ada = await createUser(db.pool);
	eve = await createUser(db.pool);
});
afterAll(async () => {
	await db?.close();
});

const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();
const sha = (secret: string) => createHash('sha256').update(secret).digest('hex');

async function create(user: TestUser, args: { name?: string; team?: string; scope?: string; expires?: string } = {}) {
	return withActor(db.pool, asUser(user), (c) =>
		attempt(c, 'select public.create_api_token($1, $2, $3, $4) as t', [args.name ?? 'CLI', args.team ?? user.teamId, args.scope ?? 'read', args.expires ?? inAMonth()])
	);
}

async function authenticate(secret: string): Promise<any> {
	return (await db.pool.query('select private.authenticate_api_token($1) as a', [sha(secret)])).rows[0].a;
}

describe('creating a token', () => {
	it('shows the secret once and stores only its hash and prefix', async () => {
		const { rows, error } = await create(ada, { name: '  lab laptop  ', scope: 'write' });
		expect(error).toBeNull();
		const token = rows[0].t;
		expect(token.secret).toMatch(/^fwp_[A-Za-z0-9_-]{43}$/);
		expect(token).toMatchObject({ name: 'lab laptop', scope: 'write', team_id: ada.teamId, state: 'active', prefix: token.secret.slice(0, 10), last_used_at: null });
		const stored = (await db.pool.query('select * from private.api_tokens where id = $1', [token.id])).rows[0];
		expect(stored.secret_sha256).toBe(sha(token.secret));
		expect(JSON.stringify(stored)).not.toContain(token.secret);
		const listed = await withActor(db.pool, asUser(ada), async (c) => (await c.query('select t from public.list_api_tokens() t')).rows.map((r) => r.t));
		expect(listed.find((t: any) => t.id === token.id)).not.toHaveProperty('secret');
	});

	it.each([
		[{ name: '' }, '22023', /give the token a name/],
		[{ scope: 'admin' }, '22023', /scope must be read or write/],
		[{ expires: new Date(Date.now() - 1000).toISOString() }, '22023', /must be in the future/],
		[{ expires: new Date(Date.now() + 400 * 86_400_000).toISOString() }, '22023', /at most a year/]
	])('refuses %j with a message', async (args, code, message) => {
		const { error } = await create(ada, args);
		expect(error?.code).toBe(code);
		expect(error?.message).toMatch(message);
	});

	it("refuses a token for a team the person is not in, as if the team did not exist", async () => {
		const { error } = await create(eve, { team: ada.teamId });
		expect(error).toMatchObject({ code: '42704', message: `team ${ada.teamId} not found` });
	});

	it('gives team viewers read tokens only', async () => {
		const viewer = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'viewer')`, [ada.teamId, viewer.id]);
		expect((await create(viewer, { team: ada.teamId, scope: 'write' })).error?.code).toBe('42501');
		expect((await create(viewer, { team: ada.teamId, scope: 'read' })).error).toBeNull();
	});

	it('refuses anonymous callers and calls made with an API token', async () => {
		const viaAnon = await withActor(db.pool, anon, (c) => attempt(c, 'select public.create_api_token($1, $2, $3, $4)', ['x', ada.teamId, 'read', inAMonth()]));
		expect(viaAnon.error?.code).toBe('42501');
		const viaToken = await withActor(db.pool, asUser(ada), async (c) => {
			await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: ada.id, role: 'authenticated', fw_api_token: 'x' })]);
			return attempt(c, 'select public.create_api_token($1, $2, $3, $4)', ['x', ada.teamId, 'write', inAMonth()]);
		});
		expect(viaToken.error).toMatchObject({ code: '42501', message: expect.stringMatching(/an API token cannot create API tokens/) });
	});

	it('is closed to clients: no grant on the table or the authentication function', async () => {
		const table = await withActor(db.pool, asUser(ada), (c) => attempt(c, 'select * from private.api_tokens'));
		expect(table.error?.code).toBe('42501');
		const auth = await withActor(db.pool, asUser(ada), (c) => attempt(c, 'select private.authenticate_api_token($1)', ['0'.repeat(64)]));
		expect(auth.error?.code).toBe('42501');
	});
});

describe('revoking and authenticating', () => {
	it("authenticates with the person's claims, records last use, and refuses a revoked token at once", async () => {
		const token = (await create(ada, { scope: 'write' })).rows[0].t;
		const ok = await authenticate(token.secret);
		expect(ok).toMatchObject({ status: 'ok', user_id: ada.id, team_id: ada.teamId, scope: 'write' });
		expect(ok.claims).toMatchObject({ sub: ada.id, role: 'authenticated', email: ada.email, fw_api_token: token.id });
		expect((await db.pool.query('select last_used_at from private.api_tokens where id = $1', [token.id])).rows[0].last_used_at).not.toBeNull();

		// Eve cannot revoke Ada's token (it is "not found" to her).
		const eveTry = await withActor(db.pool, asUser(eve), (c) => attempt(c, 'select public.revoke_api_token($1)', [token.id]));
		expect(eveTry.error?.code).toBe('42704');
		expect((await authenticate(token.secret)).status).toBe('ok');

		const revoked = await withActor(db.pool, asUser(ada), async (c) => (await c.query('select public.revoke_api_token($1) as t', [token.id])).rows[0].t);
		expect(revoked.state).toBe('revoked');
		expect((await authenticate(token.secret)).status).toBe('revoked');
	});

	it('refuses unknown and expired tokens, and a person who left the team', async () => {
		expect((await authenticate('fwp_guessed')).status).toBe('unknown');
		const expiring = (await create(ada)).rows[0].t;
		await db.pool.query(`update private.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [expiring.id]);
		expect((await authenticate(expiring.secret)).status).toBe('expired');

		const member = await createUser(db.pool);
		await db.pool.query(`insert into public.team_members (team_id, user_id, role) values ($1, $2, 'member')`, [ada.teamId, member.id]);
		const theirs = (await create(member, { team: ada.teamId, scope: 'write' })).rows[0].t;
		expect((await authenticate(theirs.secret)).status).toBe('ok');
		await db.pool.query('delete from public.team_members where team_id = $1 and user_id = $2', [ada.teamId, member.id]);
		expect((await authenticate(theirs.secret)).status).toBe('not_member');
	});

	it('limits each token to its bucket and says when to come back', async () => {
		const token = (await create(eve)).rows[0].t;
		const other = (await create(eve)).rows[0].t;
		await db.pool.query('update private.api_tokens set rate_burst = 3, bucket_tokens = 3, rate_per_second = 0.25 where id = $1', [token.id]);
		const answers = [];
		for (let i = 0; i < 4; i++) answers.push(await authenticate(token.secret));
		expect(answers.map((a) => a.status)).toEqual(['ok', 'ok', 'ok', 'rate_limited']);
		expect(answers[3].retry_after_s).toBeGreaterThanOrEqual(1);
		expect(answers[3].retry_after_s).toBeLessThanOrEqual(4);
		// Another token of the same person has its own bucket.
		expect((await authenticate(other.secret)).status).toBe('ok');
	});
});
