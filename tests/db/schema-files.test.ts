// The committed database types (src/lib/supabase/database.types.ts, which
// every Supabase client is created with) and the schema snapshot
// (supabase/schema.snapshot.txt, the effective schema reviewers read) are
// what the migrations make: each is generated again here from a freshly
// migrated database and compared. When a migration changes the schema, this
// fails and names the command that brings the file up to date.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../supabase/local/config.ts';
import { SCHEMA_FILES } from '../../scripts/db-schema.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
	db = await openTestDatabase(1);
});
afterAll(async () => {
	await db?.close();
});

describe('generated schema files', () => {
	it.each(Object.values(SCHEMA_FILES))('$file is what the migrations make', async ({ file, command, write }) => {
		const committed = readFileSync(path.join(projectRoot, file), 'utf8');
		const current = await write(db.pool);
		expect(current, `${file} is behind the migrations: run \`${command}\` and commit it`).toBe(committed);
	});
});
