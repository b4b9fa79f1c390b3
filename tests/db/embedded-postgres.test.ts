// The embedded cluster keeps its data between starts and recovers from a
// crashed run (its node process killed, postgres orphaned, pid file stale).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../supabase/local/config.ts';
import { startEmbeddedPostgres } from '../../supabase/local/postgres.ts';
import { startStack } from '../../supabase/local/stack.ts';
import { freePort } from '../../supabase/local/ports.ts';
import { processAlive } from '../helpers/wait.ts';

const dir = mkdtempSync('/tmp/foldwork-pg-');
chmodSync(dir, 0o755);
const dataDir = path.join(dir, 'data');

afterAll(() => rmSync(dir, { recursive: true, force: true }));


async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<T>(sql)).rows;
	} finally {
		await client.end();
	}
}


describe('embedded PostgreSQL', () => {
	it('keeps its data across a stop and a second start, on PostgreSQL 17 with logical WAL', async () => {
		const port = await freePort();
		const first = await startEmbeddedPostgres({ dataDir, port, host: '127.0.0.1' });
		await query(first.url, "create table kept (v text); insert into kept values ('still here')");
		const [{ server_version_num, wal_level }] = await query<{ server_version_num: string; wal_level: string }>(
			first.url,
			"select current_setting('server_version_num') as server_version_num, current_setting('wal_level') as wal_level"
		);
		expect(Number(server_version_num)).toBeGreaterThanOrEqual(170000);
		expect(wal_level).toBe('logical');
		await first.stop();
		const second = await startEmbeddedPostgres({ dataDir, port, host: '127.0.0.1' });
		try {
			expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
		} finally {
			await second.stop();
		}
	});

	it('recovers when the previous run was killed: stops the orphaned postgres and starts again', async () => {
		const port = await freePort();
		const child = spawn(process.execPath, [path.resolve('tests/fixtures/start-postgres.ts'), dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
		await new Promise<void>((resolve, reject) => {
			child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('up ') && resolve());
			child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
		});
		const orphanPid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
		child.kill('SIGKILL');
		await new Promise((resolve) => child.once('exit', resolve));
		expect(processAlive(orphanPid)).toBe(true);

		const restarted = await startEmbeddedPostgres({ dataDir, port, host: '127.0.0.1' });
		try {
			expect(processAlive(orphanPid)).toBe(false);
			expect(await query(restarted.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
		} finally {
			await restarted.stop();
		}
		expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
	});

	it('removes a stale pid file whose process is gone', async () => {
		const port = await freePort();
		writeFileSync(path.join(dataDir, 'postmaster.pid'), `999999\n${dataDir}\n`);
		const cluster = await startEmbeddedPostgres({ dataDir, port, host: '127.0.0.1' });
		try {
			expect(await query(cluster.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
		} finally {
			await cluster.stop();
		}
	});
});

describe('first start and a taken port', () => {
	const asRoot = process.getuid?.() === 0;

	it('starts on the first try in a fresh clone: the folders it makes above the data are open to the postgres user', async () => {
		const requested = path.join(dir, 'fresh-clone', '.local', 'postgres');
		const cluster = await startEmbeddedPostgres({ dataDir: requested, port: await freePort(), host: '127.0.0.1' });
		try {
			expect(cluster.dataDir).toBe(requested);
			expect(statSync(path.dirname(requested)).mode & 0o777).toBe(0o755);
			expect(await query(cluster.url, 'select 1 as one')).toEqual([{ one: 1 }]);
		} finally {
			await cluster.stop();
		}
	});

	it.runIf(asRoot)('as root, keeps the data where the postgres user can reach it when the clone is inside a private (0700) folder', async () => {
		const privateDir = mkdtempSync('/tmp/foldwork-private-');
		chmodSync(privateDir, 0o700);
		const cluster = await startEmbeddedPostgres({ dataDir: path.join(privateDir, 'clone', '.local', 'postgres'), port: await freePort(), host: '127.0.0.1' });
		try {
			expect(cluster.dataDir).toMatch(/^\/var\/tmp\/foldwork-[0-9a-f]+\/postgres$/);
			expect(await query(cluster.url, 'select 1 as one')).toEqual([{ one: 1 }]);
		} finally {
			await cluster.stop();
			rmSync(privateDir, { recursive: true, force: true });
			rmSync(path.dirname(cluster.dataDir), { recursive: true, force: true });
		}
	});

	it('refuses to use another PostgreSQL that answers on its port, and runs nothing there', async () => {
		const port = await freePort();
		const other = await startEmbeddedPostgres({ dataDir: path.join(dir, 'other'), port, host: '127.0.0.1' });
		try {
			await expect(startEmbeddedPostgres({ dataDir: path.join(dir, 'ours'), port, host: '127.0.0.1' })).rejects.toThrow(
				new RegExp(`Port ${port} is served by another PostgreSQL \\(data directory .*other\\).*DB_PORT`)
			);
		} finally {
			await other.stop();
		}
	});

	it('the stack stops before anything starts when its database port is taken, naming the port and what to set', async () => {
		const port = await freePort();
		const other = await startEmbeddedPostgres({ dataDir: path.join(dir, 'taken'), port, host: '127.0.0.1' });
		try {
			const config = loadConfig({ overrides: { dbPort: port, apiPort: await freePort(), mailWebPort: await freePort(), smtpPort: await freePort(), dataDir: path.join(dir, 'stack') } });
			await expect(startStack(config)).rejects.toThrow(new RegExp(`^Port ${port} \\(PostgreSQL\\) is in use by another program: stop it, or set DB_PORT=\\d+$`));
			// The other server was never bootstrapped or migrated.
			expect(await query(other.url, `select count(*)::int as n from pg_namespace where nspname in ('auth', 'supabase_migrations')`)).toEqual([{ n: 0 }]);
			expect(existsSync(path.join(dir, 'stack'))).toBe(false);
		} finally {
			await other.stop();
		}
	});
});
