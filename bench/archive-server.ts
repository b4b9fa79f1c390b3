// The archive route's work in a process of its own, for `npm run
// bench:archive` to measure (its memory is this process's): POST
// /archive (form field ids) checks the jobs with jobsNotOpenable and streams
// jobArchive through archiveStream, exactly as src/routes/app/archive does,
// as the user whose token is in ARCHIVE_TOKEN. Prints "listening <port>".
import { createClient } from '@supabase/supabase-js';
import http from 'node:http';
import { Readable } from 'node:stream';
import { archiveStream, jobArchive, jobsNotOpenable, parseArchiveIds } from '#lib/archive/job-archive.server.ts';

const client = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_ANON_KEY!, {
	auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
	global: { headers: { Authorization: `Bearer ${process.env.ARCHIVE_TOKEN}` } }
});

const server = http.createServer((req, res) => {
	void (async () => {
		// The ids come as a form body (POST, as the jobs page sends a selection).
		let body = '';
		for await (const chunk of req) body += String(chunk);
		const parsed = parseArchiveIds(new URLSearchParams(body).get('ids'));
		if (!parsed.ok) return void res.writeHead(400).end(parsed.message);
		const refused = await jobsNotOpenable(client, parsed.ids);
		if (refused.length) return void res.writeHead(404).end(`${refused.length} refused`);
		res.writeHead(200, { 'content-type': 'application/zip' });
		const stream = archiveStream(jobArchive(client, parsed.ids), (e) => console.error(e));
		Readable.fromWeb(stream as never).pipe(res);
	})().catch((error) => {
		console.error(error);
		res.destroy(error as Error);
	});
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as { port: number }).port}`));
