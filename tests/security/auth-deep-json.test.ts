// A request body nested thousands of levels deep, sent to each service of
// the gateway: JSON.parse takes it, but every recursive walk after it
// (JSON.stringify for Postgres, validation) would overflow the stack, a 500
// "Maximum call stack size exceeded". Each service reads request JSON through
// one parser (supabase/local/http.ts) that answers 400 with what is wrong.
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonNestingDepth } from '../../supabase/local/http.ts';
import { confirmedUser, fetchFrom, PASSWORD, randomLoopbackAddress } from '../helpers/auth.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';

const DEPTH = 5000;
const deepObject = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const TOO_DEEP = `JSON is nested more than ${MAX_JSON_DEPTH} levels deep`;

const send = fetchFrom(randomLoopbackAddress());

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
	return send(`${stackInfo().apiUrl}${path}`, {
		method: 'POST',
		headers: { apikey: stackInfo().anonKey, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01', ...headers },
		body
	});
}

describe('a JSON body nested 5,000 levels deep', () => {
	it('Auth: 400 bad_json saying it is nested too deeply', async () => {
		const email = uniqueEmail('deep');
		const res = await post('/auth/v1/signup', `{"email":"${email}","password":"${PASSWORD}","data":${deepObject}}`);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ code: 'bad_json', message: `Could not parse request body as JSON: ${TOO_DEEP}` });

		const user = await post('/auth/v1/token?grant_type=password', deepArray);
		expect(user.status).toBe(400);
		expect((await user.json()).code).toBe('bad_json');
	});

	it('REST (a table and an RPC): 400 PGRST102 with the reason in details', async () => {
		const { client } = await confirmedUser('deep-rest');
		const { data } = await client.auth.getSession();
		const auth = { authorization: `Bearer ${data.session!.access_token}` };
		for (const path of ['/rest/v1/teams', '/rest/v1/rpc/submit_job']) {
			const res = await post(path, `{"name":${deepObject}}`, auth);
			expect(res.status, path).toBe(400);
			expect(await res.json()).toEqual({ code: 'PGRST102', message: 'Empty or invalid json', details: TOO_DEEP, hint: null });
		}
		// An ordinary malformed body is refused the same way, with the parser's reason.
		const broken = await post('/rest/v1/teams', '{"name":', auth);
		expect(broken.status).toBe(400);
		expect((await broken.json()).code).toBe('PGRST102');
	});

	it('Realtime’s broadcast endpoint: 400 saying it is nested too deeply', async () => {
		const res = await post('/realtime/v1/api/broadcast', `{"messages":[{"topic":"room","event":"e","payload":${deepObject}}]}`);
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({ message: `Could not parse request body as JSON: ${TOO_DEEP}` });
	});

	it('Functions: the gateway relays the body unparsed, and the functions refuse it with their own 400', async () => {
		const { client } = await confirmedUser('deep-fn');
		const { data } = await client.auth.getSession();
		for (const fn of ['share-job', 'invite-member']) {
			const res = await post(`/functions/v1/${fn}`, `{"job_id":${deepObject}}`, { authorization: `Bearer ${data.session!.access_token}` });
			expect(res.status, fn).toBe(400);
			expect((await res.json()).code, fn).toBe('invalid_request');
		}
	}, 60_000);

	it('a body just inside the limit still goes through', async () => {
		// The body, data and the list's own levels: MAX_JSON_DEPTH in all.
		const nested = `${'['.repeat(MAX_JSON_DEPTH - 2)}1${']'.repeat(MAX_JSON_DEPTH - 2)}`;
		const res = await post('/auth/v1/signup', `{"email":"${uniqueEmail('nested-ok')}","password":"${PASSWORD}","data":{"list":${nested}}}`);
		expect(res.status).toBe(200);
	});
});

describe('jsonNestingDepth', () => {
	it('counts arrays and objects, not brackets inside strings', () => {
		expect(jsonNestingDepth('1')).toBe(0);
		expect(jsonNestingDepth('{"a":[1,{"b":[]}]}')).toBe(4);
		expect(jsonNestingDepth('{"a":"[[[[{{{{\\"[[["}')).toBe(1);
		expect(jsonNestingDepth(deepArray)).toBe(DEPTH);
	});
});
