-- CreateEnum
CREATE TYPE "ChangeKind" AS ENUM ('CREATE', 'UPDATE', 'REVOKE', 'DELETE', 'RESTORE', 'STAGE', 'ROLLBACK');

-- CreateEnum
CREATE TYPE "ChangeRequestStatus" AS ENUM ('PENDING', 'APPLIED', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'STALE');

-- CreateEnum
CREATE TYPE "SecretVersionState" AS ENUM ('PENDING', 'CURRENT', 'PREVIOUS', 'RETIRED');

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "approvalHours" INTEGER NOT NULL DEFAULT 72,
ADD COLUMN     "requireApproval" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "rollbackDays" INTEGER NOT NULL DEFAULT 7;

-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "deletedBy" TEXT;

-- CreateTable
CREATE TABLE "SecretVersion" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "credentialId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "state" "SecretVersionState" NOT NULL,
    "fingerprints" JSONB NOT NULL DEFAULT '{}',
    "expiresAt" TIMESTAMP(3),
    "setBy" TEXT,
    "approvedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "currentFrom" TIMESTAMP(3),
    "currentUntil" TIMESTAMP(3),
    "destroyAfter" TIMESTAMP(3),
    "retiredAt" TIMESTAMP(3),
    "retiredReason" TEXT,
    "lastTestAt" TIMESTAMP(3),
    "lastTestOutcome" "TestOutcome",
    "lastTestMessage" TEXT,

    CONSTRAINT "SecretVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChangeRequest" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "credentialId" UUID,
    "kind" "ChangeKind" NOT NULL,
    "status" "ChangeRequestStatus" NOT NULL DEFAULT 'PENDING',
    "baseVersion" INTEGER,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "summary" JSONB NOT NULL DEFAULT '{}',
    "requestedById" UUID NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedById" UUID,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "reason" TEXT,

    CONSTRAINT "ChangeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecretVersion_state_destroyAfter_idx" ON "SecretVersion"("state", "destroyAfter");

-- CreateIndex
CREATE UNIQUE INDEX "SecretVersion_credentialId_number_key" ON "SecretVersion"("credentialId", "number");

-- CreateIndex
CREATE INDEX "ChangeRequest_organizationId_status_requestedAt_idx" ON "ChangeRequest"("organizationId", "status", "requestedAt");

-- CreateIndex
CREATE INDEX "ChangeRequest_credentialId_status_idx" ON "ChangeRequest"("credentialId", "status");

-- AddForeignKey
ALTER TABLE "SecretVersion" ADD CONSTRAINT "SecretVersion_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Organizations that existed before four-eyes approval keep working as they did until an
-- administrator turns it on; new organizations start with it on (the column's default).
UPDATE "Organization" SET "requireApproval" = false;

-- The secrets credentials hold today become their version 1.
INSERT INTO "SecretVersion" ("id", "organizationId", "credentialId", "number", "state", "fingerprints", "expiresAt", "createdAt", "currentFrom")
SELECT gen_random_uuid(), c."organizationId", c."id", 1, 'CURRENT', jsonb_object_agg(s."field", s."fingerprint"), c."expiresAt",
       COALESCE(c."configuredAt", c."createdAt"), COALESCE(c."configuredAt", c."createdAt")
  FROM "Credential" c JOIN "SealedSecret" s ON s."ownerTable" = 'Credential' AND s."ownerId" = c."id"
 WHERE c."status" <> 'REVOKED'
 GROUP BY c."id";

-- The audit log filtered by credential or legal entity.
CREATE INDEX "AuditEvent_targetId_idx" ON "AuditEvent"("targetId");
