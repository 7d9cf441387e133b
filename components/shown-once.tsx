/** A new secret shown to the administrator this once (Strongroom keeps it sealed, or only its hash). */
export function ShownOnce({ title, id, value, children, onDone }: { title: string; id: string; value: string; children: React.ReactNode; onDone: () => void }) {
  return (
    <div role="status">
      <h2>{title}</h2>
      <p>
        {children} <strong>It is shown only once.</strong>
      </p>
      <p>
        <code id={id}>{value}</code>
      </p>
      <button type="button" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
