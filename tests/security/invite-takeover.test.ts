// Account takeover through invitations and shares (issue 14, item 1),
// replayed end to end from the attacker's side: real supabase-js, the real
// functions (Deno), the local Auth and the mail catcher.
//
// The attacker signs up with the victim's address and never confirms it
// (before the invite or share is sent, and separately after). The owner
// invites that address to the team as admin, or shares a private job with
// it. The victim follows the email the way the web app does (the sign-up
// page's emailed link, or an ordinary sign-up with a password), which
// confirms the address while the attacker's password still works at Auth.
// The attacker then tries everything: password sign-in, accepting or
// claiming, changing the password first, the refresh token, the old access
// token. None of it gets team or job access; the victim ends up with it.
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ssrClient, verifyLink, follow } from '../helpers/auth.ts';
import { waitForMail } from '../helpers/mail.ts';
import { tokenClient } from '../helpers/rest.ts';
import { anonClient, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';
import {
	adminForFile,
	callFunction,
	COLD_START_MS,
	createJob,
	createTeam,
	newestMailId,
	person,
	signInByEmailLink,
	signUpWithPassword,
	type Person
} from '../functions/support.ts';

const admin = adminForFile();
const ATTACKER_PASSWORD = 'attacker-knows-this';
const ATTACKER_SECOND_PASSWORD = 'attacker-changed-it';
const VICTIM_PASSWORD = 'only-the-victim-knows';

let owner: Person;
let teamId: string;
let teamJob: string;
/** Whether REST refuses an access token whose session was deleted (the session_id check in the membership helpers). */
let restChecksSessions: boolean;

/**
 * SESSION-CHECK: a deleted session's access token stays signed and unexpired
 * for up to an hour; only the database's session_id check (another
 * engineer's part of issue 14: private.caller_session_is_live in the
 * membership helpers) stops it at REST. Decided by trying it, not by
 * reading the schema: a user signs in, the session is deleted, the token
 * reads its own team.
 */
async function probeRestSessionCheck(): Promise<boolean> {
	const email = uniqueEmail('probe');
	const created = await serviceClient().auth.admin.createUser({ email, password: VICTIM_PASSWORD, email_confirm: true });
	expect(created.error).toBeNull();
	const { data } = await anonClient().auth.signInWithPassword({ email, password: VICTIM_PASSWORD });
	const token = data.session!.access_token;
	expect((await tokenClient(token).from('teams').select('id')).data).toHaveLength(1);
	await admin.query('delete from auth.sessions where user_id = $1', [created.data.user!.id]);
	return ((await tokenClient(token).from('teams').select('id')).data ?? []).length === 0;
}

beforeAll(async () => {
	owner = await person(admin, 'owner');
	teamId = await createTeam(admin, owner, 'Secret lab');
	teamJob = await createJob(admin, teamId, owner, 'Unpublished target');
	restChecksSessions = await probeRestSessionCheck();
	// Starts the functions (the first start may download their npm packages).
	expect((await callFunction('invite-member', { action: 'decline', invite_id: '00000000-0000-4000-8000-000000000000' }, { token: owner.token })).status).toBe(404);
	expect((await callFunction('share-job', { job_id: teamJob, visibility: 'private' }, { token: owner.token })).status).toBe(200);
}, COLD_START_MS);

// What a token gets --------------------------------------------------------------------

const teamJobsFor = async (token: string) => ((await tokenClient(token).from('jobs').select('id').eq('team_id', teamId)).data ?? []).map((r) => r.id);
const jobVisibleTo = async (token: string, jobId: string) => ((await tokenClient(token).from('jobs').select('id').eq('id', jobId)).data ?? []).length === 1;
const isMember = async (email: string) =>
	(await admin.query('select m.role from public.team_members m join public.profiles p on p.id = m.user_id where m.team_id = $1 and p.email = $2', [teamId, email])).rows;

async function passwordSignIn(email: string, password: string): Promise<{ session: Session | null; error: string | null }> {
	const { data, error } = await anonClient().auth.signInWithPassword({ email, password });
	return { session: data.session, error: error?.code ?? null };
}

async function refreshes(refreshToken: string): Promise<boolean> {
	const { data, error } = await anonClient().auth.refreshSession({ refresh_token: refreshToken });
	return !error && !!data.session;
}

const acceptAs = (token: string, inviteId: string) => callFunction('invite-member', { action: 'accept', invite_id: inviteId }, { token });
const claimAs = (token: string) => tokenClient(token).rpc('claim_pending_access');

/** Everything the attacker can still try once the victim has their access: nothing works. */
async function expectAttackerLockedOut(email: string, old: Session, check: { inviteId?: string; jobId?: string }) {
	for (const password of [ATTACKER_PASSWORD, ATTACKER_SECOND_PASSWORD]) {
		expect(await passwordSignIn(email, password), `sign-in with ${password}`).toEqual({ session: null, error: 'invalid_credentials' });
	}
	expect(await refreshes(old.refresh_token)).toBe(false);
	// Auth itself no longer knows the session (supabase-js reports it as a missing session).
	const auth = await anonClient().auth.getUser(old.access_token);
	expect(auth.data.user).toBeNull();
	expect(auth.error?.name).toBe('AuthSessionMissingError');
	// The RPCs that grant access check the session themselves.
	expect((await claimAs(old.access_token)).error?.code).toBe('42501');
	if (check.inviteId) expect((await acceptAs(old.access_token, check.inviteId)).status).toBeGreaterThanOrEqual(401);
	// SESSION-CHECK: REST reads with the old access token. Asserted once the database checks session_id
	// (restChecksSessions); confirm after integration that this branch ran.
	if (restChecksSessions) {
		expect(await teamJobsFor(old.access_token)).toEqual([]);
		if (check.jobId) expect(await jobVisibleTo(old.access_token, check.jobId)).toBe(false);
	} else {
		console.warn('SESSION-CHECK not in the database yet: the old access token was not checked against REST');
	}
}

function sessionOf(client: SupabaseClient): Promise<Session> {
	return client.auth.getSession().then(({ data }) => data.session!);
}

async function inviteAsAdmin(email: string): Promise<{ inviteId: string; mailId: string; link: URL }> {
	const answer = await callFunction('invite-member', { action: 'invite', team_id: teamId, emails: [email], role: 'admin' }, { token: owner.token });
	expect(answer.status).toBe(200);
	const mail = await waitForMail(email, { subject: /invited you to join "Secret lab"/ });
	const link = new URL(mail.links[0]);
	expect(`${link.origin}${link.pathname}`).toBe(`${stackInfo().siteUrl}/signup`);
	return { inviteId: answer.body.invites[0].id, mailId: mail.id, link };
}

async function shareWith(email: string, jobId: string): Promise<{ mailId: string; link: URL }> {
	const answer = await callFunction('share-job', { job_id: jobId, visibility: 'invited', emails: [email] }, { token: owner.token });
	expect(answer.status).toBe(200);
	const mail = await waitForMail(email, { subject: /invited you to see/ });
	const link = new URL(mail.links[0]);
	expect(`${link.origin}${link.pathname}`).toBe(`${stackInfo().siteUrl}/signup`);
	return { mailId: mail.id, link };
}

describe('a team invite as admin to an address the attacker registered', () => {
	it('registered before the invite: the attacker signs in once the victim confirms, but gets nothing; the victim joins as admin', async () => {
		const victim = uniqueEmail('victim');
		const squat = await signUpWithPassword(victim, ATTACKER_PASSWORD);
		expect(squat.result.error).toBeNull();
		expect(await passwordSignIn(victim, ATTACKER_PASSWORD)).toEqual({ session: null, error: 'email_not_confirmed' });

		const { inviteId, mailId, link } = await inviteAsAdmin(victim);
		// The victim follows the email to the sign-up page and asks for a sign-in link (no password).
		const { client: victimClient, session: firstVictimSession } = await signInByEmailLink(victim, { after: mailId, next: link.searchParams.get('next')! });

		// The address is confirmed now, and Auth still takes the attacker's password.
		const attacker = await passwordSignIn(victim, ATTACKER_PASSWORD);
		expect(attacker.error).toBeNull();
		const attackerSession = attacker.session!;
		expect(await acceptAs(attackerSession.access_token, inviteId)).toMatchObject({ status: 403, body: { error: expect.stringMatching(/^sign in with a link emailed to you/) } });
		expect((await claimAs(attackerSession.access_token)).error?.code).toBe('42501');
		expect(await teamJobsFor(attackerSession.access_token)).toEqual([]);

		// The web app asks the victim for a new password first (this session came from the emailed link).
		expect((await victimClient.rpc('account_access')).data).toMatchObject({ state: 'choose_password', pending_invites: 1 });
		expect(await acceptAs(firstVictimSession.access_token, inviteId)).toMatchObject({ status: 403, body: { error: expect.stringMatching(/^choose a new password/) } });
		expect((await victimClient.auth.updateUser({ password: VICTIM_PASSWORD })).error).toBeNull();
		const victimSession = await sessionOf(victimClient);
		expect(await acceptAs(victimSession.access_token, inviteId)).toMatchObject({ status: 200, body: { membership: { role: 'admin' } } });
		expect(await isMember(victim)).toEqual([{ role: 'admin' }]);
		expect(await teamJobsFor(victimSession.access_token)).toEqual([teamJob]);

		await expectAttackerLockedOut(victim, attackerSession, { inviteId });
		expect((await passwordSignIn(victim, VICTIM_PASSWORD)).error).toBeNull();
	});

	it('registered after the invite, racing the victim: changing the password first does not help the attacker', async () => {
		const victim = uniqueEmail('victim');
		const { inviteId, link } = await inviteAsAdmin(victim);
		const squat = await signUpWithPassword(victim, ATTACKER_PASSWORD);
		expect(squat.result.error).toBeNull();

		const { session: victimSession } = await signInByEmailLink(victim, { after: await newestMailId(victim), next: link.searchParams.get('next')! });
		// The attacker signs in at once and changes the password before the victim chooses one:
		// Auth ends the victim's session.
		const attacker = await passwordSignIn(victim, ATTACKER_PASSWORD);
		expect(attacker.error).toBeNull();
		const attackerClient = anonClient();
		await attackerClient.auth.setSession(attacker.session!);
		expect((await attackerClient.auth.updateUser({ password: ATTACKER_SECOND_PASSWORD })).error).toBeNull();
		const attackerSession = await sessionOf(attackerClient);
		expect(await acceptAs(attackerSession.access_token, inviteId)).toMatchObject({ status: 403 });
		expect((await claimAs(attackerSession.access_token)).error?.code).toBe('42501');
		expect(await refreshes(victimSession.refresh_token)).toBe(false);
		expect((await acceptAs(victimSession.access_token, inviteId)).status).toBeGreaterThanOrEqual(401);
		expect(await isMember(victim)).toEqual([]);

		// The victim signs in by link again (a magic link now) and is asked for a password of their own.
		const again = await signInByEmailLink(victim, { after: await newestMailId(victim), next: link.searchParams.get('next')! });
		expect(again.mail.subject).toBe('Your Magic Link');
		expect(await acceptAs(again.session.access_token, inviteId)).toMatchObject({ status: 403, body: { error: expect.stringMatching(/^choose a new password/) } });
		expect((await again.client.auth.updateUser({ password: VICTIM_PASSWORD })).error).toBeNull();
		const victimNow = await sessionOf(again.client);
		expect(await acceptAs(victimNow.access_token, inviteId)).toMatchObject({ status: 200 });
		expect(await isMember(victim)).toEqual([{ role: 'admin' }]);

		await expectAttackerLockedOut(victim, attackerSession, { inviteId });
	});
});

describe('a job shared with an address the attacker registered', () => {
	it('registered before the share; the victim signs up with a password of their own, which Auth ignores: the attacker still gets nothing', async () => {
		const victim = uniqueEmail('victim');
		const jobId = await createJob(admin, teamId, owner, 'Shared with the victim');
		const squat = await signUpWithPassword(victim, ATTACKER_PASSWORD);
		expect(squat.result.error).toBeNull();
		const { mailId, link } = await shareWith(victim, jobId);
		expect(link.searchParams.get('email')).toBe(victim);

		// The sign-up page's ordinary form: email and a password. Auth keeps the attacker's password and
		// sends the confirmation again (PKCE, as the web app's server client does).
		const { client: victimClient } = ssrClient();
		const redirectTo = `${stackInfo().siteUrl}/auth/callback?next=${encodeURIComponent(link.searchParams.get('next')!)}`;
		await waitFor('the sign-up to be accepted', async () => (await victimClient.auth.signUp({ email: victim, password: 'victim-first-choice', options: { emailRedirectTo: redirectTo } })).error === null);
		const confirmation = await waitForMail(victim, { subject: /Confirm Your Signup/, after: mailId });
		const landing = await follow(verifyLink(confirmation));
		expect((await victimClient.auth.exchangeCodeForSession(landing.searchParams.get('code')!)).error).toBeNull();
		expect((await passwordSignIn(victim, 'victim-first-choice')).error).toBe('invalid_credentials');

		const attacker = await passwordSignIn(victim, ATTACKER_PASSWORD);
		expect(attacker.error).toBeNull();
		const attackerSession = attacker.session!;
		expect((await claimAs(attackerSession.access_token)).error?.code).toBe('42501');
		expect(await jobVisibleTo(attackerSession.access_token, jobId)).toBe(false);

		expect((await victimClient.rpc('account_access')).data).toMatchObject({ state: 'choose_password', pending_shares: 1 });
		expect((await victimClient.auth.updateUser({ password: VICTIM_PASSWORD })).error).toBeNull();
		expect((await victimClient.rpc('claim_pending_access')).data).toMatchObject({ attached: [{ job_id: jobId, name: 'Shared with the victim' }] });
		const victimSession = await sessionOf(victimClient);
		expect(await jobVisibleTo(victimSession.access_token, jobId)).toBe(true);
		// A share opens the job, not the team.
		expect(await teamJobsFor(victimSession.access_token)).toEqual([jobId]);

		await expectAttackerLockedOut(victim, attackerSession, { jobId });
	});

	it('registered after the share: the victim signs up by link; the attacker, signed in with the old password, gets nothing', async () => {
		const victim = uniqueEmail('victim');
		const jobId = await createJob(admin, teamId, owner, 'Also shared');
		const { link } = await shareWith(victim, jobId);
		expect((await signUpWithPassword(victim, ATTACKER_PASSWORD)).result.error).toBeNull();

		const { client: victimClient } = await signInByEmailLink(victim, { after: await newestMailId(victim), next: link.searchParams.get('next')! });
		const attacker = await passwordSignIn(victim, ATTACKER_PASSWORD);
		expect(attacker.error).toBeNull();
		const attackerSession = attacker.session!;
		expect((await claimAs(attackerSession.access_token)).error?.code).toBe('42501');

		expect((await victimClient.auth.updateUser({ password: VICTIM_PASSWORD })).error).toBeNull();
		expect((await victimClient.rpc('claim_pending_access')).data).toMatchObject({ attached: [{ job_id: jobId }] });
		expect(await jobVisibleTo((await sessionOf(victimClient)).access_token, jobId)).toBe(true);

		await expectAttackerLockedOut(victim, attackerSession, { jobId });
	});
});
