-- Each organization's audit events form a chain of their own. Events written before this migration
-- stay in the one chain they were written in ("global"), which verifies as before.
ALTER TABLE "AuditEvent" ADD COLUMN "chain" TEXT NOT NULL DEFAULT 'global';
ALTER TABLE "AuditEvent" ALTER COLUMN "chain" DROP DEFAULT;
CREATE INDEX "AuditEvent_chain_seq_idx" ON "AuditEvent"("chain", "seq");

-- One head per chain.
ALTER TABLE "AuditHead" ADD COLUMN "chain" TEXT;
UPDATE "AuditHead" SET "chain" = 'global';
ALTER TABLE "AuditHead" DROP CONSTRAINT "AuditHead_pkey";
ALTER TABLE "AuditHead" DROP COLUMN "id";
ALTER TABLE "AuditHead" ALTER COLUMN "chain" SET NOT NULL;
ALTER TABLE "AuditHead" ADD CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("chain");

CREATE OR REPLACE FUNCTION strongroom_audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "AuditHead" SET "hash" = NEW."hash" WHERE "chain" = NEW."chain";
  RETURN NEW;
END;
$$;

-- CreateTable
CREATE TABLE "AuditCheckpoint" (
    "id" UUID NOT NULL,
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "signedAt" TIMESTAMP(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditCheckpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditCheckpoint_chain_seq_idx" ON "AuditCheckpoint"("chain", "seq");
