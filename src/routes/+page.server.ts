import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => ({ signedIn: Boolean((await parent()).user) });
