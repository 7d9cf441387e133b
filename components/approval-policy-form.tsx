'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { saveApprovalPolicyAction } from '@/app/(app)/admin/settings/actions';
import { FormError, TextField } from '@/components/form/fields';
import { useStepUp } from '@/components/use-step-up';

type Values = { requireApproval: boolean; approvalHours: string; rollbackDays: string };

/** Four-eyes approval for production changes, the deadline of a request and the rollback window. */
export function ApprovalPolicyForm({ requireApproval, approvalHours, rollbackDays }: { requireApproval: boolean; approvalHours: number; rollbackDays: number }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const { stepUpForm, needsStepUp } = useStepUp();
  const { register, handleSubmit, setError, formState } = useForm<Values>({
    defaultValues: { requireApproval, approvalHours: String(approvalHours), rollbackDays: String(rollbackDays) },
  });
  const onSubmit = handleSubmit(async (values) => {
    setMessage(null);
    const result = await saveApprovalPolicyAction({ requireApproval: values.requireApproval, approvalHours: values.approvalHours, rollbackDays: values.rollbackDays });
    if (needsStepUp(result, 'approval-policy', () => onSubmit())) return;
    if (result.ok) {
      setMessage({ error: false, text: result.data ? 'Turning four-eyes approval off needs a second administrator: they were asked (Approvals). It stays on until one approves.' : 'Saved.' });
      return router.refresh();
    }
    for (const [name, messages] of Object.entries(result.fieldErrors ?? {})) setError(name as keyof Values, { message: messages[0] });
    setMessage({ error: true, text: result.formError ?? 'Nothing was saved.' });
  });
  if (stepUpForm) return stepUpForm;
  return (
    <form onSubmit={onSubmit} noValidate>
      {message?.error ? <FormError message={message.text} /> : null}
      <div className="field">
        <label>
          <input type="checkbox" {...register('requireApproval')} /> Production changes need a second administrator
        </label>
        <p className="muted">Creating, changing, revoking, deleting, restoring or rolling back a production credential becomes a request another administrator approves.</p>
      </div>
      <TextField id="approval-hours" label="A request expires after (hours)" inputMode="numeric" error={formState.errors.approvalHours?.message} {...register('approvalHours')} />
      <TextField id="rollback-days" label="Previous secrets can be restored for (days)" inputMode="numeric" error={formState.errors.rollbackDays?.message} {...register('rollbackDays')} />
      <button type="submit" disabled={formState.isSubmitting}>
        Save approval policy
      </button>
      {message && !message.error && <span role="status"> {message.text}</span>}
    </form>
  );
}
