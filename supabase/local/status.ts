// The `supabase status` block: where each service listens and the keys.
import type { StackConfig } from './config.ts';

export function describeStack(config: StackConfig): string {
	const rows: Array<[string, string]> = [
		['API URL', config.apiUrl],
		['REST URL', `${config.apiUrl}/rest/v1`],
		['Auth URL', `${config.apiUrl}/auth/v1`],
		['DB URL', config.databaseUrl],
		['Mail URL', `http://${config.host}:${config.mailWebPort}`],
		['SMTP', `${config.host}:${config.smtpPort}`],
		['JWT secret', config.jwtSecret],
		['anon key', config.anonKey],
		['service_role key', config.serviceRoleKey],
		['Publishable key', config.publishableKey],
		['Secret key', config.secretKey]
	];
	const width = Math.max(...rows.map(([k]) => k.length));
	return rows.map(([k, v]) => `${k.padStart(width)}: ${v}`).join('\n');
}
