-- CreateTable
CREATE TABLE "AuditHead" (
    "id" INTEGER NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("id")
);

-- The head starts at the newest existing event (or the genesis hash) and follows every insert.
INSERT INTO "AuditHead" ("id", "hash")
SELECT 1, COALESCE((SELECT "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64));

CREATE FUNCTION strongroom_audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "AuditHead" SET "hash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "AuditEvent_advance_head" AFTER INSERT ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION strongroom_audit_head_advance();
