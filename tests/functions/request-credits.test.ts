// The request-credits edge function on the local stack (real Deno, real
// database, real mail catcher): a member's request reaches the operators'
// address (OPERATOR_EMAILS; locally operators@foldwork.local) with who asks,
// for which team, how much and the command that grants it; a flood of
// requests from one team sends one email; viewers, other teams and
// anonymous callers are refused; what the requester wrote stays inert text.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OPERATOR_EMAILS } from '../../supabase/local/functions/env.ts';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { tokenClient } from '../helpers/rest.ts';
import { addMember, adminForFile, callFunction, COLD_START_MS, createTeam, person, type Person } from './support.ts';

const admin = adminForFile();
const OPERATORS = LOCAL_OPERATOR_EMAILS;
let owner: Person;

const request = (body: unknown, token = owner.token) => callFunction('request-credits', body, { token });
const mailsAbout = async (teamName: string) => (await listMail(OPERATORS)).filter((m) => m.subject.includes(teamName));

async function team(name = `Lab ${randomUUID().slice(0, 8)}`): Promise<{ id: string; name: string }> {
	return { id: await createTeam(admin, owner, name), name };
}

beforeAll(async () => {
	owner = await person(admin, 'requester');
	await admin.query(`update public.profiles set display_name = 'Grace Hopper' where id = $1`, [owner.id]);
	// Starts the function (the first start may download its npm packages); a refusal writes nothing.
	expect((await request({ team_id: randomUUID(), credits: 1 })).status).toBe(404);
}, COLD_START_MS);

describe('request-credits', () => {
	it('emails the operators who asks, for which team, how much, and how to grant it', async () => {
		const lab = await team();
		const { data, error } = await tokenClient(owner.token).functions.invoke('request-credits', {
			body: { team_id: lab.id, credits: 500, message: 'For the kinase screen' }
		});
		expect(error).toBeNull();
		expect(data).toEqual({
			request: { id: expect.any(String), credits: 500, message: 'For the kinase screen', created_at: expect.any(String) },
			operators_notified: 1
		});
		const mail = await waitForMail(OPERATORS, { subject: new RegExp(lab.name) });
		expect(mail.to).toEqual([OPERATORS]);
		expect(mail.subject).toBe(`Credit request: "${lab.name}" asks for 500 credits`);
		expect(mail.text).toContain(`Grace Hopper (${owner.email}) asks for 500 credits for the team "${lab.name}" (${lab.id}) on Foldwork.`);
		expect(mail.text).toContain('The team has 0 credits now.');
		expect(mail.text).toContain('Their note: "For the kinase screen"');
		expect(mail.text).toContain(`npm run credits -- grant ${lab.id} 500 --reason "…"`);
		expect(mail.links).toEqual([]);
		const { rows } = await admin.query('select requested_by, credits, message from public.credit_requests where team_id = $1', [lab.id]);
		expect(rows).toEqual([{ requested_by: owner.id, credits: 500, message: 'For the kinase screen' }]);
	});

	it('sends one email for a flood of 40 requests from a team, and tells the rest when they may ask again', { timeout: 60_000 }, async () => {
		const lab = await team();
		const mates = await Promise.all(Array.from({ length: 3 }, () => person(admin, 'mate')));
		for (const mate of mates) await addMember(admin, lab.id, mate, 'member');
		const askers = [owner, ...mates];
		const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => request({ team_id: lab.id, credits: 100 + i }, askers[i % askers.length].token)));
		expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
		const refused = answers.filter((a) => a.status !== 200);
		expect(new Set(refused.map((a) => a.status))).toEqual(new Set([429]));
		for (const a of refused) {
			expect(a.body).toMatchObject({ code: 'rate_limited', error: expect.stringMatching(/^Your team asked for credits less than an hour ago; you can ask again after /), retry_after: expect.any(String) });
			expect(Number(a.headers.get('retry-after'))).toBeGreaterThan(3500);
		}
		// Every answer is in, and the accepted request's email went out before its answer.
		expect(await mailsAbout(lab.name)).toHaveLength(1);
		const { rows } = await admin.query('select count(*)::int as n from public.credit_requests where team_id = $1', [lab.id]);
		expect(rows[0].n).toBe(1);
		// Another team is not held up by this one's flood.
		const other = await team();
		expect((await request({ team_id: other.id, credits: 5 })).status).toBe(200);
	});

	it('refuses viewers, other teams and callers without a user, emailing nobody', async () => {
		const lab = await team();
		const viewer = await person(admin, 'viewer');
		const outsider = await person(admin, 'outsider');
		await addMember(admin, lab.id, viewer, 'viewer');
		expect(await request({ team_id: lab.id, credits: 10 }, viewer.token)).toMatchObject({
			status: 403,
			body: { code: 'forbidden', error: 'team viewers cannot ask for credits: ask a team owner or admin' }
		});
		expect(await request({ team_id: lab.id, credits: 10 }, outsider.token)).toMatchObject({ status: 404, body: { code: 'not_found', error: `team ${lab.id} not found` } });
		expect((await callFunction('request-credits', { team_id: lab.id, credits: 10 })).status).toBe(401);
		expect(await mailsAbout(lab.name)).toEqual([]);
	});

	it('refuses bad bodies and amounts with what to fix', async () => {
		const lab = await team();
		expect(await request({ team_id: lab.id, credits: 'lots' })).toMatchObject({ status: 400, body: { code: 'invalid_request', error: 'credits: credits must be a number' } });
		expect(await request({ team_id: lab.id, credits: 2.5 })).toMatchObject({ status: 400, body: { error: 'credits: credits must be a whole number' } });
		expect(await request({ team_id: lab.id, credits: 5, bcc: 'x@y.z' })).toMatchObject({ status: 400, body: { error: 'unknown field "bcc": the fields are team_id, credits and message' } });
		expect(await request({ team_id: lab.id, credits: 1_000_000 })).toMatchObject({ status: 400, body: { error: 'ask for 1 to 100000 credits, not 1000000' } });
		expect(await request({ team_id: lab.id, credits: 5, message: 'x'.repeat(1001) })).toMatchObject({ status: 400, body: { error: 'the note has at most 1000 characters; this one has 1001' } });
		expect(await mailsAbout(lab.name)).toEqual([]);
	});

	it('keeps what the requester wrote inert: no links, escaped HTML, no header breaks', async () => {
		// A requester of their own: a person asks at most 3 times a day, whichever teams they ask for.
		const mallory = await person(admin, 'mallory');
		const name = `Lab ${randomUUID().slice(0, 8)} <b>https://evil.example/x</b>`;
		const lab = { id: await createTeam(admin, mallory, name), name };
		await admin.query(`update public.profiles set display_name = 'Mallory\r\nBcc: victim@example.com' where id = $1`, [mallory.id]);
		const answer = await request({ team_id: lab.id, credits: 7, message: 'Click https://evil.example/pay <script>alert(1)</script>' }, mallory.token);
		expect(answer.status).toBe(200);
		const mail = await waitForMail(OPERATORS, { subject: new RegExp(lab.name.slice(0, 12)) });
		expect(mail.to).toEqual([OPERATORS]);
		expect(mail.links).toEqual([]);
		expect(mail.text).toContain('Their note: "Click https[:]//evil[.]example/pay <script>alert(1)</script>"');
		expect(mail.html).toContain('https[:]//evil[.]example/pay &lt;script&gt;alert(1)&lt;/script&gt;');
		expect(mail.html).not.toContain('<script>');
		expect(mail.text).toContain('Mallory Bcc: victim@example[.]com (');
		expect(mail.text).toContain('<b>https[:]//evil[.]example/x</b>');
	});
});
