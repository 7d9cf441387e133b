'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { archiveLegalEntityAction } from '@/app/(app)/entities/actions';

/** Archive (asking first when credentials are in use) or restore a legal entity. */
export function ArchiveEntityButton({ legalEntityId, archived }: { legalEntityId: string; archived: boolean }) {
  const router = useRouter();
  const [question, setQuestion] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const run = async (archive: boolean, confirmed = false) => {
    setMessage(null);
    const result = await archiveLegalEntityAction({ legalEntityId, archive, confirmed });
    if (!result.ok && result.code === 'CONFIRMATION_REQUIRED') return setQuestion(result.formError ?? 'Archive anyway?');
    setQuestion(null);
    if (!result.ok) setMessage(result.formError ?? 'Nothing was changed.');
    router.refresh();
  };
  if (question) {
    return (
      <div role="alertdialog" aria-labelledby="archive-question" className="confirm">
        <p id="archive-question">{question}</p>
        <span className="actions">
          <button type="button" className="danger" onClick={() => run(true, true)}>
            Archive anyway
          </button>
          <button type="button" className="secondary" onClick={() => setQuestion(null)}>
            Keep it
          </button>
        </span>
      </div>
    );
  }
  return (
    <>
      <button type="button" className="secondary" onClick={() => run(!archived)}>
        {archived ? 'Restore entity' : 'Archive entity'}
      </button>
      {message && <p role="alert">{message}</p>}
    </>
  );
}
