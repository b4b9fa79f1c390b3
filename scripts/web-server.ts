// The web app's production server: adapter-node's request handler from a
// build folder, served on HOST:PORT, with the public address the app is
// reached at (ORIGIN, e.g. https://foldwork.example.org) given when it
// starts rather than baked into the build. SvelteKit compares form posts'
// Origin with it (CSRF) and the app builds its links from it, so one build
// serves any origin, behind a proxy or not.
//
// Usage: ORIGIN=<url> PORT=<port> [HOST=<host>] node scripts/web-server.ts <build folder>
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Headers only this process sets: whatever a client sends under these names is overwritten.
const PROTOCOL_HEADER = 'x-foldwork-origin-protocol';
const HOST_HEADER = 'x-foldwork-origin-host';

function usage(problem: string): never {
	console.error(`${problem}\nusage: ORIGIN=<public URL> PORT=<port> [HOST=<host>] node scripts/web-server.ts <build folder>`);
	process.exit(2);
}

const buildDir = process.argv[2] ?? usage('give the build folder (what `npm run build` wrote, e.g. build)');
let origin: URL;
try {
	origin = new URL(process.env.ORIGIN ?? usage('ORIGIN is required: the public URL of the app, e.g. https://foldwork.example.org'));
} catch {
	usage(`ORIGIN must be an absolute URL such as https://foldwork.example.org, not "${process.env.ORIGIN}"`);
}
const port = Number(process.env.PORT ?? usage('PORT is required'));
const host = process.env.HOST ?? '127.0.0.1';

// adapter-node reads these when its handler module loads.
process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
process.env.HOST_HEADER = HOST_HEADER;
const { handler } = (await import(pathToFileURL(path.resolve(buildDir, 'handler.js')).href)) as {
	handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, next: () => void) => void;
};

const server = createServer((req, res) => {
	req.headers[PROTOCOL_HEADER] = origin.protocol.slice(0, -1);
	req.headers[HOST_HEADER] = origin.host;
	// Static files too (the app's own responses also carry the rest of its headers: src/lib/server/http-security.ts).
	res.setHeader('x-content-type-options', 'nosniff');
	handler(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
});

server.listen(port, host, () => console.log(`Listening on http://${host}:${port} as ${origin.origin}`));

// Stop taking requests, let those in flight finish (10 s at most), then exit.
function stop() {
	server.close(() => process.exit(0));
	server.closeIdleConnections();
	setTimeout(() => {
		server.closeAllConnections();
		process.exit(0);
	}, 10_000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
