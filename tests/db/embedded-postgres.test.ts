// The embedded cluster keeps its data between starts and recovers from a
// crashed run (its node process killed, postgres orphaned, pid file stale).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../supabase/local/postgres.ts';
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
