import type { EmailMessage } from './message.ts';

/** Delivers checked messages; throws EmailDeliveryError when it cannot. */
export interface EmailTransport {
	readonly name: string;
	send(from: string, message: EmailMessage): Promise<void>;
	close(): void;
}
