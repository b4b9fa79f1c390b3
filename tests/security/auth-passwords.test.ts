// Weak passwords, from the outside: config.toml's minimum_password_length and
// password_requirements, enforced by Auth as GoTrue enforces them (sign-up,
// a user's own change, an admin's change), and the same rule in the web
// app's forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPasswordField } from '#lib/forms/auth-schemas.ts';
import { MAX_PASSWORD_LENGTH } from '../../supabase/local/auth/passwords.ts';
import { loadConfig, PASSWORD_CHARACTER_SETS } from '../../supabase/local/config.ts';
import { clientFrom, confirmedUser, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { serviceClient, stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { startSecondAuth, type SecondAuth } from '../helpers/second-auth.ts';

const { auth } = loadConfig();

describe('config.toml and the web app agree on passwords', () => {
	it('asks for 8 characters and no particular kinds of character', () => {
		expect(auth.minimumPasswordLength).toBe(8);
		expect(auth.passwordRequiredCharacters).toEqual([]);
	});

	it('lets the sign-up and new-password forms accept exactly what Auth accepts', () => {
		const min = auth.minimumPasswordLength;
		expect(newPasswordField.safeParse('x'.repeat(min - 1)).success).toBe(false);
		expect(newPasswordField.safeParse('x'.repeat(min)).success).toBe(true);
		expect(newPasswordField.safeParse('x'.repeat(MAX_PASSWORD_LENGTH)).success).toBe(true);
		expect(newPasswordField.safeParse('x'.repeat(MAX_PASSWORD_LENGTH + 1)).success).toBe(false);
	});
});

describe('a weak password', () => {
	const weak = { code: 'weak_password', message: 'Password should be at least 8 characters.' };

	it('is refused at sign-up with weak_password and its reasons, and no account is made', async () => {
		const email = uniqueEmail('weak');
		const { data, error } = await clientFrom(randomLoopbackAddress()).auth.signUp({ email, password: '123456' });
		expect(error?.status).toBe(422);
		expect(error).toMatchObject(weak);
		expect((error as { reasons?: string[] }).reasons).toEqual(['length']);
		expect(data.user).toBeNull();
		const { data: users } = await serviceClient().auth.admin.listUsers({ perPage: 1000 });
		expect(users.users.some((u) => u.email === email)).toBe(false);
	});

	it('is refused when a user changes their password, and when an admin sets one', async () => {
		const { client, userId, email } = await confirmedUser('weak-change');
		const own = await client.auth.updateUser({ password: '1234567' });
		expect(own.error?.status).toBe(422);
		expect(own.error).toMatchObject(weak);
		const admin = await serviceClient().auth.admin.updateUserById(userId, { password: 'short' });
		expect(admin.error?.status).toBe(422);
		expect(admin.error).toMatchObject(weak);
		expect((await clientFrom(randomLoopbackAddress()).auth.signInWithPassword({ email, password: PASSWORD })).error).toBeNull();
	});

	it('set before the rules tightened still signs in, and the session says it is weak (GoTrue)', async () => {
		const email = uniqueEmail('weak-legacy');
		// The admin API does not check a new user's password (GoTrue), as when accounts are imported.
		expect((await serviceClient().auth.admin.createUser({ email, password: 'abc123', email_confirm: true })).error).toBeNull();
		const { data, error } = await clientFrom(randomLoopbackAddress()).auth.signInWithPassword({ email, password: 'abc123' });
		expect(error).toBeNull();
		expect(data.session?.access_token).toBeTruthy();
		expect(data.weakPassword).toEqual({ message: 'Password should be at least 8 characters.', reasons: ['length'] });
		const strong = await clientFrom(randomLoopbackAddress()).auth.signInWithPassword({ email: (await confirmedUser('strong')).email, password: PASSWORD });
		expect(strong.data.weakPassword).toBeUndefined();
	});
});

describe('password_requirements (an Auth configured with lower_upper_letters_digits_symbols)', () => {
	let secondAuth: SecondAuth;
	let apiUrl: string;

	beforeAll(async () => {
		secondAuth = await startSecondAuth((base) => ({ ...base, auth: { ...base.auth, passwordRequiredCharacters: PASSWORD_CHARACTER_SETS.lower_upper_letters_digits_symbols } }));
		apiUrl = secondAuth.apiUrl;
	});

	afterAll(async () => {
		await secondAuth?.stop();
	});

	it('maps the config values to the CLI’s character sets', () => {
		expect(PASSWORD_CHARACTER_SETS.letters_digits).toEqual(['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789']);
		expect(PASSWORD_CHARACTER_SETS.lower_upper_letters_digits_symbols[3]).toBe('!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~');
	});

	it('refuses a password missing a kind of character, with GoTrue’s reasons and message', async () => {
		const client = clientFrom(randomLoopbackAddress(), stackInfo().anonKey, apiUrl);
		const sets = PASSWORD_CHARACTER_SETS.lower_upper_letters_digits_symbols.join(', ');
		const letters = await client.auth.signUp({ email: uniqueEmail('charset'), password: 'only-lowercase-letters' });
		expect(letters.error?.code).toBe('weak_password');
		expect((letters.error as { reasons?: string[] }).reasons).toEqual(['characters']);
		expect(letters.error?.message).toBe(`Password should contain at least one character of each: ${sets}.`);

		const both = await client.auth.signUp({ email: uniqueEmail('charset'), password: 'abc' });
		expect((both.error as { reasons?: string[] }).reasons).toEqual(['length', 'characters']);
		expect(both.error?.message).toBe(`Password should be at least 8 characters. Password should contain at least one character of each: ${sets}.`);

		expect((await client.auth.signUp({ email: uniqueEmail('charset'), password: 'Mixed-Case-9' })).error).toBeNull();
	});
});
