import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { listMail, waitForMail } from '../helpers/mail.ts';
import { stackInfo, uniqueEmail } from '../helpers/stack.ts';

const transport = nodemailer.createTransport({ host: '127.0.0.1', port: stackInfo().smtpPort, secure: false, ignoreTLS: true });
afterAll(() => transport.close());

describe('mail catcher', () => {
	it('receives a message over SMTP and serves it through the JSON API with its links', async () => {
		const to = uniqueEmail('mail');
		await transport.sendMail({
			from: 'Foldwork <noreply@foldwork.local>',
			to,
			subject: 'Confirm Your Signup',
			text: 'Follow this link: http://127.0.0.1:54321/auth/v1/verify?token=abc&type=signup&redirect_to=http://x/y',
			html: '<p><a href="http://127.0.0.1:54321/auth/v1/verify?token=abc&amp;type=signup">Confirm</a></p>'
		});
		const mail = await waitForMail(to, { subject: /Confirm/ });
		expect(mail.to).toEqual([to]);
		expect(mail.subject).toBe('Confirm Your Signup');
		expect(mail.links).toEqual(['http://127.0.0.1:54321/auth/v1/verify?token=abc&type=signup&redirect_to=http://x/y']);
		expect(mail.html).toContain('<a href=');
		expect((await listMail(to)).map((m) => m.id)).toEqual([mail.id]);
	});

	it('waits for a message that arrives later, and skips ones already seen', async () => {
		const to = uniqueEmail('later');
		await transport.sendMail({ from: 'a@x.test', to, subject: 'first', text: 'one' });
		const first = await waitForMail(to);
		const pending = waitForMail(to, { after: first.id });
		await transport.sendMail({ from: 'a@x.test', to, subject: 'second', text: 'two' });
		expect((await pending).subject).toBe('second');
	});

	it('deletes a message and answers 404 for unknown ones', async () => {
		const to = uniqueEmail('del');
		await transport.sendMail({ from: 'a@x.test', to, subject: 'bye', text: 'x' });
		const mail = await waitForMail(to);
		const base = stackInfo().mailUrl;
		expect((await fetch(`${base}/api/messages/${mail.id}`, { method: 'DELETE' })).status).toBe(204);
		expect((await fetch(`${base}/api/messages/${mail.id}`)).status).toBe(404);
		expect(await listMail(to)).toEqual([]);
	});

	it('renders the inbox page with the subject escaped', async () => {
		const to = uniqueEmail('page');
		await transport.sendMail({ from: 'a@x.test', to, subject: '<script>alert(1)</script>', text: 'x' });
		await waitForMail(to);
		const html = await (await fetch(`${stackInfo().mailUrl}/?to=${encodeURIComponent(to)}`)).text();
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(html).not.toContain('<script>alert(1)');
	});

	it('times out a wait with 408 when nothing arrives', async () => {
		const res = await fetch(`${stackInfo().mailUrl}/api/messages/wait?to=${uniqueEmail('none')}&timeout=50`);
		expect(res.status).toBe(408);
	});
});
