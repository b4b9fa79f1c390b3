// The email sender module (supabase/functions/_shared/email) under real Deno,
// outside any function: the HTTP API transport against a recording server
// (request shape, key, idempotency, refused vs transient failures), the SMTP
// transport into the stack's mail catcher (multipart text + HTML, safe
// headers, dot-stuffing), and configuration errors with their messages.
import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { denoExecutable } from '../../supabase/local/functions/deno.ts';
import { DENO_DIR } from '../../supabase/local/functions/index.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';
import { COLD_START_MS } from './support.ts';

interface Recorded {
	path: string;
	headers: http.IncomingHttpHeaders;
	body: unknown;
}

const recorded: Recorded[] = [];
let server: http.Server;
let results: Record<string, { ok: boolean; error?: string; kind?: string; permanent?: boolean }>;
const httpTo = uniqueEmail('api');
const smtpTo = uniqueEmail('smtp');

beforeAll(async () => {
	server = http.createServer((req, res) => {
		let text = '';
		req.on('data', (chunk: Buffer) => (text += chunk));
		req.on('end', () => {
			recorded.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
			const status = req.url === '/ok' ? 200 : req.url === '/refuse' ? 422 : 503;
			res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { id: 'email-1' } : { message: 'nope' }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const plan = {
		apiUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
		smtpHost: '127.0.0.1',
		smtpPort: stackInfo().smtpPort,
		deadSmtpPort: await freePort(),
		httpTo,
		smtpTo
	};
	const script = path.join(projectRoot, 'tests/fixtures/functions/_scripts/email-sender.ts');
	const { stdout } = await promisify(execFile)(
		denoExecutable(),
		['run', '--allow-all', '--no-prompt', '--node-modules-dir=none', '--no-lock', '--config', path.join(projectRoot, 'supabase/functions/share-job/deno.json'), script, JSON.stringify(plan)],
		{ env: { ...process.env, DENO_DIR, DENO_NO_PACKAGE_JSON: '1', DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, timeout: COLD_START_MS }
	);
	results = JSON.parse(stdout.trim().split('\n').pop()!);
}, COLD_START_MS);

afterAll(async () => {
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('email sender: HTTP API transport', () => {
	it('POSTs one JSON email per message with the key, the idempotency key and a safe subject', () => {
		expect(results.http_ok).toEqual({ ok: true });
		const sent = recorded.find((r) => r.path === '/ok')!;
		expect(sent.headers.authorization).toBe('Bearer test-key');
		expect(sent.headers['idempotency-key']).toBe('claim-1');
		expect(sent.headers['content-type']).toBe('application/json');
		expect(sent.body).toEqual({
			from: '"Foldwork Tests" <tests@foldwork.test>',
			to: [httpTo],
			subject: 'Hello Bcc: evil@example.test',
			text: 'Plain body',
			html: '<p>HTML body</p>'
		});
	});

	it('tells a refused message (permanent) from an outage (retry later)', () => {
		expect(results.http_refused).toMatchObject({ ok: false, kind: 'EmailDeliveryError', permanent: true });
		expect(results.http_refused.error).toMatch(/answered 422: \{"message":"nope"\}$/);
		expect(results.http_unavailable).toMatchObject({ ok: false, kind: 'EmailDeliveryError', permanent: false });
	});

	it('refuses a message with a bad recipient or no subject before sending anything', () => {
		expect(results.bad_recipient).toEqual({
			ok: false,
			kind: 'InvalidEmail',
			error: 'recipient "a@b.test\\r\\nBcc: evil@example.test" contains a line break; give one bare address per entry'
		});
		expect(results.empty_subject).toMatchObject({ ok: false, kind: 'InvalidEmail', error: 'an email needs a subject' });
		expect(recorded.filter((r) => r.path === '/ok')).toHaveLength(1);
	});

	it('explains a bad configuration', () => {
		expect(results.bad_transport.error).toBe('EMAIL_TRANSPORT must be "smtp" or "http", not "pigeon"');
		expect(results.missing_key.error).toBe('EMAIL_TRANSPORT=http needs EMAIL_API_KEY (set it with `supabase secrets set EMAIL_API_KEY=...`)');
		expect(results.bad_from.error).toMatch(/^EMAIL_FROM must be "Name <address>" or an address/);
	});
});

describe('email sender: SMTP transport', () => {
	it('delivers text and HTML parts to the mail catcher, with a one-line subject and lines starting with dots intact', async () => {
		expect(results.smtp_ok).toEqual({ ok: true });
		const mail = await waitForMail(smtpTo);
		expect(mail.to).toEqual([smtpTo]);
		expect(mail.subject).toBe('Ünïcode job "α-helix" Bcc: evil@example.test');
		expect(mail.text.trim()).toBe('first line\n.a line starting with a dot\n..two dots\nlast line');
		expect(mail.html).toBe('<p>Hello <b>there</b></p>');
		expect(mail.from).toBe('"Foldwork" <noreply@foldwork.local>');
		expect(await listMail('evil@example.test')).toEqual([]);
	});

	it('reports an unreachable server as a transient failure', () => {
		expect(results.smtp_down).toMatchObject({ ok: false, kind: 'EmailDeliveryError', permanent: false });
		expect(results.smtp_down.error).toMatch(/^SMTP 127\.0\.0\.1:\d+: /);
	});
});
