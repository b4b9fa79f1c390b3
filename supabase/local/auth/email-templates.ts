// Subjects and bodies of the auth emails: Supabase's default templates
// (the ones `supabase start` sends), each with its verify link and OTP code.

export type EmailKind = 'signup' | 'invite' | 'magiclink' | 'recovery' | 'email_change' | 'reauthentication';

export interface EmailData {
	kind: EmailKind;
	/** `${apiUrl}/auth/v1/verify?token=...&type=...&redirect_to=...`; '' for a code-only email (reauthentication). */
	confirmationUrl: string;
	otp: string;
	siteUrl: string;
	email: string;
	newEmail?: string;
}

const SUBJECTS: Record<EmailKind, string> = {
	signup: 'Confirm Your Signup',
	invite: 'You have been invited',
	magiclink: 'Your Magic Link',
	recovery: 'Reset Your Password',
	email_change: 'Confirm Email Change',
	reauthentication: 'Confirm Reauthentication'
};

function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function intro(data: EmailData): { heading: string; lead: string; action: string } {
	switch (data.kind) {
		case 'signup':
			return { heading: 'Confirm your signup', lead: 'Follow this link to confirm your user:', action: 'Confirm your mail' };
		case 'invite':
			return {
				heading: 'You have been invited',
				lead: `You have been invited to create a user on ${data.siteUrl}. Follow this link to accept the invite:`,
				action: 'Accept the invite'
			};
		case 'magiclink':
			return { heading: 'Magic Link', lead: 'Follow this link to login:', action: 'Log In' };
		case 'recovery':
			return { heading: 'Reset Password', lead: 'Follow this link to reset the password for your user:', action: 'Reset Password' };
		case 'email_change':
			return {
				heading: 'Confirm Change of Email',
				lead: `Follow this link to confirm the update of your email from ${data.email} to ${data.newEmail ?? ''}:`,
				action: 'Change Email'
			};
		case 'reauthentication':
			return { heading: 'Confirm reauthentication', lead: '', action: '' };
	}
}

export function renderEmail(data: EmailData): { subject: string; text: string; html: string } {
	const { heading, lead, action } = intro(data);
	if (!data.confirmationUrl) {
		// A code and nothing else (Supabase's reauthentication template).
		const line = `Enter the code: ${data.otp}`;
		return { subject: SUBJECTS[data.kind], text: `${heading}\n\n${line}\n`, html: `<h2>${escapeHtml(heading)}</h2>\n<p>${escapeHtml(line)}</p>\n` };
	}
	const codeLine = data.otp ? `Alternatively, enter the code: ${data.otp}` : '';
	const text = [heading, '', lead, data.confirmationUrl, '', codeLine].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n').trim() + '\n';
	const html =
		`<h2>${escapeHtml(heading)}</h2>\n<p>${escapeHtml(lead)}</p>\n` +
		`<p><a href="${escapeHtml(data.confirmationUrl)}">${escapeHtml(action)}</a></p>\n` +
		(codeLine ? `<p>${escapeHtml(codeLine)}</p>\n` : '');
	return { subject: SUBJECTS[data.kind], text, html };
}
