// Operators' credits command, over a direct database connection (DATABASE_URL,
// as the workers use):
//
//   npm run credits -- grant <team id or name> <credits> --reason "why"
//
// The grant goes through the database's own public.grant_credits, which
// decides what is allowed (a whole number from 1 to 100,000, a reason) and
// writes the `grant` row the team sees in its credit history. Exit codes:
// 0 done, 1 refused (by the database, or no such team), 2 a usage mistake.
import pg from 'pg';

const USAGE = `usage: npm run credits -- grant <team id or name> <credits> --reason "why"
  Gives a team credits: one grant in its ledger, with the reason, shown on its credits page.
  DATABASE_URL must name the Foldwork database (locally: postgresql://postgres:postgres@127.0.0.1:54322/postgres).`;

class UsageError extends Error {}
class Refusal extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface GrantArgs {
	team: string;
	credits: string;
	reason: string;
}

/** grant's arguments: two words and --reason; a negative amount ("-5") is a word, for the database to refuse with its reason. */
function parseGrantArgs(args: string[]): GrantArgs {
	const words: string[] = [];
	let reason: string | undefined;
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === '--reason') {
			if (i + 1 >= args.length) throw new UsageError('--reason needs the reason after it, in quotes: --reason "Pilot project"');
			reason = args[++i];
		} else if (arg.startsWith('--reason=')) {
			reason = arg.slice('--reason='.length);
		} else if (arg.startsWith('--') || (arg.startsWith('-') && !/^-\d/.test(arg))) {
			throw new UsageError(`unknown option ${arg}`);
		} else {
			words.push(arg);
		}
	}
	if (words.length !== 2) throw new UsageError(`grant takes a team and an amount, got ${words.length === 0 ? 'neither' : words.map((w) => JSON.stringify(w)).join(' ')}`);
	const [team, credits] = words;
	if (!/^[+-]?\d+(\.\d+)?$/.test(credits)) throw new UsageError(`the amount is a number of credits, like 500, not ${JSON.stringify(credits)}`);
	if (reason === undefined) throw new UsageError('say why with --reason "…": the team sees it in its credit history');
	return { team, credits, reason };
}

interface TeamRow {
	id: string;
	name: string;
	owner: string | null;
	members: number;
}

/** The team by id, or by name (case-insensitive); refused when none or several match. */
async function findTeam(db: pg.Client, team: string): Promise<TeamRow> {
	const { rows } = await db.query<TeamRow>(
		`select t.id, t.name, (select p.email from public.profiles p where p.id = t.created_by) as owner,
		   (select count(*)::int from public.team_members m where m.team_id = t.id) as members
		 from public.teams t
		 where ($1::uuid is not null and t.id = $1::uuid) or lower(t.name) = lower($2)
		 order by t.created_at`,
		[UUID.test(team) ? team : null, team]
	);
	if (rows.length === 0) throw new Refusal(`no team has the id or name ${JSON.stringify(team)}`);
	if (rows.length > 1) {
		const list = rows.map((t) => `  ${t.id}  ${t.name} (created by ${t.owner ?? 'a deleted user'}, ${t.members} member${t.members === 1 ? '' : 's'})`).join('\n');
		throw new Refusal(`${rows.length} teams are called ${JSON.stringify(team)}; give the id of the one you mean:\n${list}`);
	}
	return rows[0];
}

async function grant(args: GrantArgs, databaseUrl: string): Promise<string> {
	const db = new pg.Client({ connectionString: databaseUrl, application_name: 'foldwork credits', connectionTimeoutMillis: 10_000 });
	try {
		await db.connect();
	} catch (error) {
		const url = new URL(databaseUrl);
		throw new Refusal(`could not connect to the database at ${url.hostname}:${url.port || 5432}: ${(error as Error).message}`);
	}
	try {
		const team = await findTeam(db, args.team);
		let granted: { credits: number; balance: number; reason: string; ledger_id: number };
		try {
			const { rows } = await db.query('select public.grant_credits($1, $2::numeric, $3) as g', [team.id, args.credits, args.reason]);
			granted = rows[0].g;
		} catch (error) {
			const e = error as pg.DatabaseError;
			if (e.code && /^(22|42|P0)/.test(e.code)) throw new Refusal(`refused: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
			throw error;
		}
		const plural = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;
		return (
			`Granted ${plural(granted.credits)} to ${JSON.stringify(team.name)} (team ${team.id}).\n` +
			`Balance: ${plural(granted.balance)}. Reason: ${JSON.stringify(granted.reason)} (ledger entry ${granted.ledger_id}).`
		);
	} finally {
		await db.end();
	}
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
	const [command, ...rest] = argv;
	if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
		console.log(USAGE);
		return command === undefined ? 2 : 0;
	}
	try {
		if (command !== 'grant') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
		const args = parseGrantArgs(rest);
		const databaseUrl = env.DATABASE_URL;
		if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new UsageError('DATABASE_URL must be set to the postgres:// connection string of the Foldwork database');
		console.log(await grant(args, databaseUrl));
		return 0;
	} catch (error) {
		if (error instanceof UsageError) {
			console.error(`credits: ${error.message}\n${USAGE}`);
			return 2;
		}
		if (error instanceof Refusal) {
			console.error(`credits: ${error.message}`);
			return 1;
		}
		throw error;
	}
}

process.exitCode = await main(process.argv.slice(2), process.env);
