// Account probing through sharing and inviting (issue 14, item 6), from the
// side of a signed-in user who wants to know whether an address has an
// account: they share a job with it, invite it to their team, call the RPCs
// directly, and time the answers. Every answer is the same for an address
// with a confirmed account, one with an unconfirmed account and one with
// none: same status, fields and values (but the address and fresh ids), and
// no Auth user is created. The right person still gets the right email.
import { beforeAll, describe, expect, it } from 'vitest';
import { waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { adminForFile, callFunction, COLD_START_MS, createJob, createTeam, person, type Person } from '../functions/support.ts';

const admin = adminForFile();
let prober: Person;
let teamId: string;
let jobId: string;

beforeAll(async () => {
	prober = await person(admin, 'prober');
	teamId = await createTeam(admin, prober, 'Probing lab');
	jobId = await createJob(admin, teamId, prober, 'Bait');
	expect((await callFunction('share-job', { job_id: jobId, visibility: 'private' }, { token: prober.token })).status).toBe(200);
}, COLD_START_MS);

type Kind = 'confirmed account' | 'unconfirmed account' | 'no account';
const KINDS: Kind[] = ['confirmed account', 'unconfirmed account', 'no account'];

/** A fresh address of each kind. */
async function addressOf(kind: Kind, prefix: string): Promise<string> {
	if (kind === 'no account') return uniqueEmail(prefix);
	return (await person(admin, prefix, { confirmed: kind === 'confirmed account' })).email;
}

/** The answer with the address and the values that are fresh on every call (ids, times) replaced, so answers compare whole. */
function normalised(value: unknown, email: string): unknown {
	const json = JSON.stringify(value)
		.replaceAll(email, '<email>')
		.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => (id === jobId || id === teamId || id === prober.id ? id : '<id>'))
		.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
		.replace(/email=[^&"]+/g, 'email=<email>');
	return JSON.parse(json);
}

const authUsers = async (email: string) => Number((await admin.query('select count(*) from auth.users where email = $1', [email])).rows[0].count);

describe('share-job and invite-member answer alike for every address', () => {
	it('shares: the same answer, and each person gets their email', async () => {
		const answers = new Map<Kind, unknown>();
		for (const kind of KINDS) {
			const email = await addressOf(kind, 'share-probe');
			const before = await authUsers(email);
			const answer = await callFunction('share-job', { job_id: jobId, visibility: 'invited', emails: [email] }, { token: prober.token });
			answers.set(kind, { status: answer.status, body: normalised(answer.body, email) });
			expect(await authUsers(email), `${kind}: no Auth user made`).toBe(before);
			const mail = await waitForMail(email);
			expect(mail.subject, kind).toMatch(kind === 'confirmed account' ? /shared "Bait" with you/ : /invited you to see "Bait"/);
		}
		expect(answers.get('confirmed account')).toEqual({
			status: 200,
			body: {
				job: { id: jobId, name: 'Bait', tool_id: 'protein-properties', visibility: 'invited', link: `${stackInfo().siteUrl}/app/tools/protein-properties?jobId=${jobId}` },
				shares: [{ email: '<email>', share_id: '<id>', state: 'pending', notification: { status: 'sent' } }]
			}
		});
		expect(answers.get('unconfirmed account')).toEqual(answers.get('confirmed account'));
		expect(answers.get('no account')).toEqual(answers.get('confirmed account'));
	});

	it('invites, and sends again: the same answers, and each person gets their email', async () => {
		const answers = new Map<Kind, unknown>();
		for (const kind of KINDS) {
			const email = await addressOf(kind, 'invite-probe');
			const before = await authUsers(email);
			const invited = await callFunction('invite-member', { action: 'invite', team_id: teamId, emails: [email], role: 'admin' }, { token: prober.token });
			const mail = await waitForMail(email);
			expect(mail.links[0], kind).toContain(kind === 'confirmed account' ? '/app/team/invites/' : '/signup?email=');
			await admin.query(`update private.email_log set sent_at = sent_at - interval '2 hours' where recipient = $1`, [email]);
			const resent = await callFunction('invite-member', { action: 'resend', invite_id: invited.body.invites[0].id }, { token: prober.token });
			answers.set(kind, [invited.status, normalised(invited.body, email), resent.status, normalised(resent.body, email)]);
			expect(await authUsers(email), `${kind}: no Auth user made`).toBe(before);
		}
		const [status, body] = answers.get('confirmed account') as [number, { invites: Array<Record<string, unknown>> }];
		expect(status).toBe(200);
		expect(Object.keys(body.invites[0]).sort()).toEqual(['email', 'expires_at', 'id', 'link', 'notification', 'role', 'status']);
		expect(answers.get('unconfirmed account')).toEqual(answers.get('confirmed account'));
		expect(answers.get('no account')).toEqual(answers.get('confirmed account'));
	});

	it('takes about as long for an address with an account as for one without', async () => {
		// Interleaved, so load on the machine falls on both alike; each call sends one email.
		const times: Record<'account' | 'none', number[]> = { account: [], none: [] };
		for (let i = 0; i < 8; i++) {
			for (const kind of ['account', 'none'] as const) {
				const email = kind === 'account' ? (await person(admin, 'timing')).email : uniqueEmail('timing');
				const started = performance.now();
				const answer = await callFunction('share-job', { job_id: jobId, visibility: 'invited', emails: [email] }, { token: prober.token });
				times[kind].push(performance.now() - started);
				expect(answer.status).toBe(200);
			}
		}
		const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
		const [account, none] = [median(times.account), median(times.none)];
		console.log(`share-job median: ${account.toFixed(1)} ms with an account, ${none.toFixed(1)} ms without`);
		// The same work either way (one lookup for the batch, one email each); an Auth call for one kind
		// (the old sign-up link made a user, a team and a credit account) would stand out.
		expect(Math.abs(account - none)).toBeLessThan(Math.max(15, 0.35 * Math.min(account, none)));
	});
});

describe('the RPCs answer alike for every address', () => {
	it('share_job and share_job_with: a pending share with no user, whoever the address is', async () => {
		const rows = new Map<Kind, unknown>();
		for (const kind of KINDS) {
			const email = await addressOf(kind, 'rpc-share');
			const single = await prober.db.rpc('share_job', { job_id: jobId, email });
			const batch = await prober.db.rpc('share_job_with', { job_id: jobId, visibility: 'invited', emails: [await addressOf(kind, 'rpc-batch')] });
			expect(single.error).toBeNull();
			expect(batch.error).toBeNull();
			const batchEmail = (batch.data as { shares: Array<{ email: string }> }).shares[0].email;
			rows.set(kind, [normalised(single.data, email), normalised(batch.data, batchEmail)]);
		}
		const [single] = rows.get('confirmed account') as [Record<string, unknown>];
		expect(single).toMatchObject({ user_id: null, accepted_at: null, email: '<email>' });
		expect(rows.get('unconfirmed account')).toEqual(rows.get('confirmed account'));
		expect(rows.get('no account')).toEqual(rows.get('confirmed account'));
	});

	it('invite_team_member and invite_team_members: no has_account, the same fields and values', async () => {
		const rows = new Map<Kind, unknown>();
		for (const kind of KINDS) {
			const email = await addressOf(kind, 'rpc-invite');
			const single = await prober.db.rpc('invite_team_member', { team_id: teamId, email, role: 'viewer' });
			const other = await addressOf(kind, 'rpc-invites');
			const batch = await prober.db.rpc('invite_team_members', { team_id: teamId, emails: [other], role: 'viewer' });
			expect(single.error).toBeNull();
			expect(batch.error).toBeNull();
			rows.set(kind, [normalised(single.data, email), normalised(batch.data, other)]);
		}
		const [, batch] = rows.get('confirmed account') as [unknown, { invites: Array<Record<string, unknown>> }];
		expect(Object.keys(batch.invites[0]).sort()).toEqual(['email', 'expires_at', 'id', 'role', 'status', 'team_id']);
		expect(rows.get('unconfirmed account')).toEqual(rows.get('confirmed account'));
		expect(rows.get('no account')).toEqual(rows.get('confirmed account'));
		// Which addresses have accounts is for the functions (service role) alone.
		expect((await prober.db.rpc('emails_with_accounts', { emails: [prober.email] })).error?.code).toBe('42501');
	});
});
