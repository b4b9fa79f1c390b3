import { describe, expect, it } from 'vitest';
import type { JwtPayload } from '@supabase/supabase-js';
import { sessionUserFromClaims } from '#lib/supabase/session-user.ts';

const base: JwtPayload = {
	iss: 'http://127.0.0.1:54321/auth/v1',
	sub: '7b0d7f3e-6a43-4d57-9c6e-0a4a7f1c2b11',
	aud: 'authenticated',
	exp: 2_000_000_000,
	iat: 1_999_996_400,
	role: 'authenticated',
	aal: 'aal1',
	session_id: '1f5c2c4e-5a8e-4a7e-8b0f-3c9d2e1a4b6c',
	email: 'ada@example.test'
};

describe('sessionUserFromClaims', () => {
	it('names the user of a verified user token', () => {
		expect(sessionUserFromClaims(base)).toEqual({ id: base.sub, email: 'ada@example.test', isAnonymous: false, aal: 'aal1' });
		expect(sessionUserFromClaims({ ...base, aal: 'aal2', is_anonymous: true, email: undefined })).toEqual({ id: base.sub, email: '', isAnonymous: true, aal: 'aal2' });
	});

	it('names nobody for the anon or service_role key, a token without a user id, or no claims', () => {
		expect(sessionUserFromClaims({ ...base, role: 'anon' })).toBeNull();
		expect(sessionUserFromClaims({ ...base, role: 'service_role' })).toBeNull();
		expect(sessionUserFromClaims({ ...base, sub: 'not-a-uuid' })).toBeNull();
		expect(sessionUserFromClaims(null)).toBeNull();
	});
});
