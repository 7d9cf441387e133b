import { z } from 'zod';
import { oneLineText } from '@/lib/schemas/text';

/** What Strongroom tells people about, by mail and webhook. */
export const NOTIFICATION_EVENTS = {
  'credential.expiring': 'A credential is inside its lead time before expiry',
  'credential.expired': 'A credential reached its expiry date',
  'credential.test_failing': 'Connection tests failed several times in a row',
  'credential.refresh_failed': 'The provider refused to issue a token (needs a person)',
  'credential.integrity_failure': 'A sealed value failed to open',
  'change_request.created': 'A change to a production credential waits for a second administrator',
  'change_request.decided': 'A change request was approved, rejected or refused',
  'backup.failed': 'A scheduled backup failed (told to every organization of the installation)',
  'webhook.test': 'A test event sent from Strongroom',
} as const;

export type TNotificationEvent = keyof typeof NOTIFICATION_EVENTS | 'digest.daily';

/** The events an endpoint can subscribe to (a test event goes to the endpoint it was sent from, whatever it chose). */
export const WEBHOOK_EVENT_TYPES = Object.keys(NOTIFICATION_EVENTS).filter((event) => event !== 'webhook.test') as [
  Exclude<keyof typeof NOTIFICATION_EVENTS, 'webhook.test'>,
  ...Exclude<keyof typeof NOTIFICATION_EVENTS, 'webhook.test'>[],
];

export const ZWebhookEndpointCreate = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'Enter a full URL such as https://hooks.example.com/strongroom' })
    .max(2048, 'At most 2048 characters'),
  description: oneLineText({ min: 0, max: 200 }).default(''),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES), { error: 'Choose at least one event' }).min(1, 'Choose at least one event'),
});
export type TWebhookEndpointCreate = z.input<typeof ZWebhookEndpointCreate>;

export const ZWebhookEndpointRef = z.object({ endpointId: z.uuid('Unknown endpoint') });
export const ZDeliveryRef = z.object({ deliveryId: z.uuid('Unknown delivery') });
