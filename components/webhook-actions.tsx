'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { removeWebhookEndpointAction, resendDeliveryAction, sendWebhookTestAction } from '@/app/(app)/admin/webhooks/actions';
import { useStepUp } from '@/components/use-step-up';

/** Send a test event to an endpoint, or remove it (behind the step-up). */
export function WebhookEndpointActions({ endpointId, host }: { endpointId: string; host: string }) {
  const router = useRouter();
  const { stepUpForm, needsStepUp } = useStepUp();
  const [message, setMessage] = useState<string | null>(null);
  const test = async () => {
    const result = await sendWebhookTestAction({ endpointId });
    setMessage(result.ok ? 'Test event queued and being sent; refresh to see the attempt.' : (result.formError ?? 'Nothing was sent.'));
    router.refresh();
  };
  const remove = async (): Promise<void> => {
    const result = await removeWebhookEndpointAction({ endpointId });
    if (needsStepUp(result, 'webhooks', remove)) return;
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    router.refresh();
  };
  if (stepUpForm) return stepUpForm;
  return (
    <span className="actions">
      <button type="button" className="secondary" onClick={test} aria-label={`Send a test event to ${host}`}>
        Send a test event
      </button>
      <button type="button" className="secondary" onClick={remove} aria-label={`Remove the endpoint ${host}`}>
        Remove
      </button>
      {message && <span role="status">{message}</span>}
    </span>
  );
}

/** "Send again": the same event (same webhook-id) once more to the same endpoint. */
export function ResendDeliveryButton({ deliveryId }: { deliveryId: string }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const resend = async () => {
    const result = await resendDeliveryAction({ deliveryId });
    setMessage(result.ok ? 'Queued.' : (result.formError ?? 'Nothing was sent.'));
    router.refresh();
  };
  return (
    <>
      <button type="button" className="link" onClick={resend}>
        Send again
      </button>
      {message && <span role="status"> {message}</span>}
    </>
  );
}
