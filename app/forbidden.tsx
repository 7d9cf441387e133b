import { FORBIDDEN, StatusMessage } from '@/components/status-message';

export default function Forbidden() {
  return (
    <main id="main">
      <StatusMessage {...FORBIDDEN} />
    </main>
  );
}
