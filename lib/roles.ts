/** Roles, least privilege first. VIEWER: status. OPERATOR: + connection tests. ADMIN: + secrets and users. AUDITOR: audit log. */
export const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN', 'AUDITOR'] as const;

export type TRole = (typeof ROLES)[number];

/** Who may see credential status (not secrets): everyone signed in. */
export const STATUS_READERS: readonly TRole[] = ROLES;

/** Who may manage users and change secrets. */
export const ADMINS: readonly TRole[] = ['ADMIN'];

/** Who may read, verify and export the audit log. */
export const AUDIT_READERS: readonly TRole[] = ['AUDITOR', 'ADMIN'];

/** Who may run connection tests. */
export const TESTERS: readonly TRole[] = ['OPERATOR', 'ADMIN'];

/** What each role may do, as the user list and the invitation form say it. */
export const ROLE_LABELS: Record<TRole, string> = {
  VIEWER: 'Viewer: sees status',
  OPERATOR: 'Operator: + runs connection tests',
  ADMIN: 'Administrator: + changes secrets and users',
  AUDITOR: 'Auditor: reads the audit log',
};
