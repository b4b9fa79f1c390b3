import { describe, expect, it } from 'vitest';
import { stackInfo } from '../helpers/stack.ts';

describe('gateway', () => {
	it('refuses a request without an API key with Supabase’s body', async () => {
		const res = await fetch(`${stackInfo().apiUrl}/rest/v1/anything`);
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' });
	});

	it('refuses an API key that is neither a project key nor signed with the project secret', async () => {
		const res = await fetch(`${stackInfo().apiUrl}/rest/v1/anything`, { headers: { apikey: 'not-a-key' } });
		expect(res.status).toBe(401);
		expect((await res.json()).message).toBe('Invalid API key');
	});

	it('answers unknown paths with 404', async () => {
		const res = await fetch(`${stackInfo().apiUrl}/nope/v1/x`, { headers: { apikey: stackInfo().anonKey } });
		expect(res.status).toBe(404);
	});

	it('answers CORS preflight for the headers supabase-js sends', async () => {
		const res = await fetch(`${stackInfo().apiUrl}/rest/v1/todos`, {
			method: 'OPTIONS',
			headers: {
				origin: 'http://localhost:5173',
				'access-control-request-method': 'POST',
				'access-control-request-headers': 'authorization, apikey, x-client-info, content-type, prefer'
			}
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
		expect(res.headers.get('access-control-allow-headers')).toContain('apikey');
		expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
	});

	it('issues the Supabase CLI’s well-known demo keys from the demo secret', () => {
		expect(stackInfo().anonKey).toBe(
			'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0'
		);
		expect(stackInfo().serviceRoleKey).toBe(
			'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU'
		);
	});
});
