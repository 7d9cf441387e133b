import { NOT_FOUND, StatusMessage } from '@/components/status-message';

// Rendered inside the signed-in layout, which already has the page's <main>.
export default function NotFound() {
  return <StatusMessage {...NOT_FOUND} />;
}
