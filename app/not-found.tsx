import { NOT_FOUND, StatusMessage } from '@/components/status-message';

export default function NotFound() {
  return (
    <main id="main">
      <StatusMessage {...NOT_FOUND} />
    </main>
  );
}
