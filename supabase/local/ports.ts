// A free TCP port on loopback, for stacks started by tests and benchmarks.
import net from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, host, () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export interface PortUse {
	port: number;
	/** The environment variable that moves it, e.g. DB_PORT. */
	variable: string;
	/** What would listen there, e.g. "PostgreSQL". */
	what: string;
}

function portTaken(port: number, host: string): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(true) : reject(error)));
		server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
	});
}

/**
 * Checks every port before anything starts, so a taken port stops start-up
 * with one line that names it and what to set, and nothing ever talks to
 * whatever already listens there.
 */
export async function assertPortsFree(uses: PortUse[], host = '127.0.0.1'): Promise<void> {
	const taken = (await Promise.all(uses.map(async (use) => ((await portTaken(use.port, host)) ? use : null)))).filter((u) => u !== null);
	if (taken.length === 0) return;
	const free = await Promise.all(taken.map(() => freePort(host)));
	const what = taken.map((u) => `${u.port} (${u.what})`).join(', ');
	const set = taken.map((u, i) => `${u.variable}=${free[i]}`).join(' ');
	throw new Error(`Port${taken.length > 1 ? 's' : ''} ${what} ${taken.length > 1 ? 'are' : 'is'} in use by another program: stop it, or set ${set}`);
}
