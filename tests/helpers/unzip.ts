// Reading archives back with readers that share no code with ours:
// Python's zipfile (which checks every entry's CRC-32 as it reads) and
// Info-ZIP's `unzip -t`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface UnzippedEntry {
	name: string;
	size: number;
	sha256: string;
	/** The entry's text, when it is UTF-8 text of at most 1 MiB. */
	text: string | null;
}

const READER = `
import hashlib, json, sys, zipfile
out = []
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    if bad is not None:
        raise SystemExit('CRC mismatch in ' + bad)
    for info in z.infolist():
        data = z.read(info)
        try:
            text = data.decode('utf-8') if len(data) <= 1048576 else None
        except UnicodeDecodeError:
            text = None
        out.append({'name': info.filename, 'size': info.file_size, 'sha256': hashlib.sha256(data).hexdigest(), 'text': text})
json.dump(out, sys.stdout)
`;

/** Every entry of the archive at `file`, as Python's zipfile reads it (fails on a CRC mismatch or a broken directory). */
export async function readZipWithPython(file: string): Promise<UnzippedEntry[]> {
	const { stdout } = await run('python3', ['-c', READER, file], { maxBuffer: 512 * 1024 * 1024 });
	return JSON.parse(stdout) as UnzippedEntry[];
}

/** `unzip -t`'s verdict: resolves when Info-ZIP finds no errors, else rejects with its output. */
export async function testZipWithUnzip(file: string): Promise<string> {
	const { stdout } = await run('unzip', ['-t', file], { maxBuffer: 64 * 1024 * 1024 });
	return stdout;
}
