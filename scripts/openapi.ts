// Writes docs/api/openapi.json, the committed copy of the API's OpenAPI 3.1
// document, from the contract (src/lib/api/contract.ts). Run after changing
// the contract: tests/unit/api/openapi.test.ts fails while the copy is stale.
//
//   npm run api:openapi [-- --check]     (--check: exit 1 when the copy is stale, write nothing)
import { readFile, writeFile } from 'node:fs/promises';
import { openApiJson, OPENAPI_COPY } from '../src/lib/api/openapi-copy.ts';

const text = await openApiJson();
const check = process.argv.includes('--check');
const current = await readFile(OPENAPI_COPY, 'utf8').catch(() => '');
if (current === text) console.log(`${OPENAPI_COPY} is up to date`);
else if (check) {
	console.error(`${OPENAPI_COPY} is stale: run npm run api:openapi`);
	process.exit(1);
} else {
	await writeFile(OPENAPI_COPY, text);
	console.log(`wrote ${OPENAPI_COPY}`);
}
