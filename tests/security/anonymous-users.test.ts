// Anonymous sign-ins, from the attacker's side. With [auth]
// enable_anonymous_sign_ins on, anyone can mint a session with one request.
// Such a user must not get what an account gets: no personal team (so no
// 100 starting credits to farm, no jobs, no RPCs) and no "logged-in users"
// jobs by link. Linking an email makes them an ordinary user, with a team.
// With the setting off (this project's config.toml), Auth refuses with
// GoTrue's error. A second Auth service with the setting on runs on the test
// stack's database, signing with the same keys, so REST treats its tokens as
// the project's own.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow, fragmentOf, PASSWORD, verifyLink } from '../helpers/auth.ts';
import { waitForMail } from '../helpers/mail.ts';
import { fetchFrom, randomLoopbackAddress } from '../helpers/loopback.ts';
import { tokenClient } from '../helpers/rest.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';
import { anonClient, serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';

const moleculeJob = { tool_id: 'molecule-properties', name: 'Ethanol', input: { molecules: [{ id: 'm1', smiles: 'CCO' }] }, settings: {} };
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

let anonymousAuth: SecondAuth;

beforeAll(async () => {
	anonymousAuth = await startSecondAuth((base) => ({ ...base, auth: { ...base.auth, anonymousSignIns: true } }));
});

afterAll(async () => {
	await anonymousAuth?.stop();
});

function clientOf(url: string, address = randomLoopbackAddress()): SupabaseClient {
	return createClient(url, stackInfo().anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
		global: { fetch: fetchFrom(address) }
	});
}

async function anonymousUser(): Promise<{ client: SupabaseClient; token: string; userId: string }> {
	const client = clientOf(anonymousAuth.apiUrl);
	const { data, error } = await client.auth.signInAnonymously({ options: { data: { display_name: 'Drive-by' } } });
	expect(error).toBeNull();
	return { client, token: data.session!.access_token, userId: data.user!.id };
}

/** A real user's personal team with one job made visible to every logged-in user. */
async function loggedInUsersJob(): Promise<{ jobId: string; teamId: string }> {
	const email = uniqueEmail('anon-owner');
	expect((await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true })).error).toBeNull();
	const owner = anonClient();
	expect((await owner.auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
	const team = await owner.from('teams').select('id').eq('personal', true).single();
	const submitted = await owner.rpc('submit_job', { ...moleculeJob, team_id: team.data!.id });
	expect(submitted.error).toBeNull();
	expect((await owner.rpc('set_job_visibility', { job_id: submitted.data.id, visibility: 'authenticated' })).error).toBeNull();
	return { jobId: submitted.data.id, teamId: team.data!.id };
}

describe('anonymous sign-ins', () => {
	it('are refused with GoTrue’s error where the project has them off (this one)', async () => {
		const { data, error } = await clientOf(stackInfo().apiUrl).auth.signInAnonymously();
		expect(data.session).toBeNull();
		expect(error).toMatchObject({ status: 422, code: 'anonymous_provider_disabled', message: 'Anonymous sign-ins are disabled' });
	});

	it('issue a session whose token says is_anonymous, for a user with no email or identity', async () => {
		const { client, token, userId } = await anonymousUser();
		expect(claimsOf(token)).toMatchObject({ sub: userId, role: 'authenticated', is_anonymous: true, aal: 'aal1' });
		expect((claimsOf(token).amr as Array<{ method: string }>)[0].method).toBe('anonymous');
		const { data } = await client.auth.getUser();
		expect(data.user).toMatchObject({ id: userId, email: '', is_anonymous: true, identities: [], app_metadata: {}, user_metadata: { display_name: 'Drive-by' } });
		const settings = await (await fetch(`${anonymousAuth.apiUrl}/auth/v1/settings`, { headers: { apikey: stackInfo().anonKey } })).json();
		expect(settings.external.anonymous_users).toBe(true);
	});

	it('give no team, credits, jobs or RPCs to the anonymous user (no free credits to farm)', async () => {
		const { token, userId } = await anonymousUser();
		const api = tokenClient(token);
		for (const table of ['teams', 'team_members', 'credit_accounts', 'credit_ledger', 'jobs', 'profiles']) {
			const { data, error } = await api.from(table).select('*');
			expect(error, table).toBeNull();
			expect(data, table).toEqual([]);
		}
		const rows = await serviceClient().from('team_members').select('team_id').eq('user_id', userId);
		expect(rows.data).toEqual([]);
		const anyTeam = (await serviceClient().from('teams').select('id').limit(1).single()).data!.id;
		const submit = await api.rpc('submit_job', { ...moleculeJob, team_id: anyTeam });
		expect(submit.error).not.toBeNull();
	});

	it('do not open a “logged-in users” job by its link; a real account does', async () => {
		const { jobId } = await loggedInUsersJob();
		const { token } = await anonymousUser();
		const anonymous = await tokenClient(token).rpc('get_job', { job_id: jobId, with_content: false });
		expect(anonymous.error).toBeNull();
		expect(anonymous.data).toBeNull();
		const email = uniqueEmail('anon-viewer');
		await serviceClient().auth.admin.createUser({ email, password: PASSWORD, email_confirm: true });
		const viewer = anonClient();
		await viewer.auth.signInWithPassword({ email, password: PASSWORD });
		const real = await viewer.rpc('get_job', { job_id: jobId, with_content: false });
		expect(real.data?.access).toBe('link');
	});

	it('cannot set a password without an email, nor enrol an MFA factor', async () => {
		const { client } = await anonymousUser();
		const password = await client.auth.updateUser({ password: 'a-long-enough-password' });
		expect(password.error).toMatchObject({ status: 422, code: 'validation_failed', message: 'Updating password of an anonymous user without an email or phone is not allowed' });
		const mfa = await client.auth.mfa.enroll({ factorType: 'totp' });
		expect(mfa.error).toMatchObject({ status: 403, code: 'no_authorization', message: 'Anonymous user not allowed to perform these actions' });
	});

	it('become an ordinary user with a personal team once an email is linked and confirmed', async () => {
		const { client, userId } = await anonymousUser();
		const email = uniqueEmail('anon-linked');
		const update = await client.auth.updateUser({ email });
		expect(update.error).toBeNull();
		expect(update.data.user).toMatchObject({ is_anonymous: true, new_email: email });
		const mail = await waitForMail(email, { subject: /Confirm Email Change/ });
		const landed = await follow(verifyLink(mail));
		expect(fragmentOf(landed).get('type')).toBe('email_change');
		const refreshed = await client.auth.refreshSession();
		expect(refreshed.error).toBeNull();
		expect(claimsOf(refreshed.data.session!.access_token)).toMatchObject({ sub: userId, email, is_anonymous: false });
		const teams = await tokenClient(refreshed.data.session!.access_token).from('teams').select('id, personal');
		expect(teams.data).toEqual([{ id: expect.any(String), personal: true }]);
		const balance = await tokenClient(refreshed.data.session!.access_token).from('credit_accounts').select('balance').single();
		expect(balance.data?.balance).toBe(100);
	});

	it('are rate-limited per address as GoTrue limits them (anonymous_users an hour)', async () => {
		const address = randomLoopbackAddress();
		const statuses: number[] = [];
		for (let i = 0; i < 31; i++) {
			const { error } = await clientOf(anonymousAuth.apiUrl, address).auth.signInAnonymously();
			statuses.push(error?.status ?? 200);
		}
		expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
		expect(statuses[30]).toBe(429);
	});
});
