-- Each chain numbers its events 1, 2, 3 … with no gap: the number people see in the audit log and its
-- exports (the global "seq" jumps wherever another chain wrote in between). Existing events are
-- numbered in the order they were written; the head keeps the count.
ALTER TABLE "AuditEvent" ADD COLUMN "number" BIGINT;
UPDATE "AuditEvent" e SET "number" = n."number"
  FROM (SELECT "seq", row_number() OVER (PARTITION BY "chain" ORDER BY "seq") AS "number" FROM "AuditEvent") n
 WHERE e."seq" = n."seq";
ALTER TABLE "AuditEvent" ALTER COLUMN "number" SET NOT NULL;

ALTER TABLE "AuditHead" ADD COLUMN "count" BIGINT NOT NULL DEFAULT 0;
UPDATE "AuditHead" h SET "count" = COALESCE((SELECT max("number") FROM "AuditEvent" e WHERE e."chain" = h."chain"), 0);

CREATE UNIQUE INDEX "AuditEvent_chain_number_key" ON "AuditEvent"("chain", "number");

-- The number is taken from the head before the row is written, in the same step that moves the head
-- (appenders hold the head's row lock, so numbers follow the chain's order). An insert that gives a
-- number of its own has it replaced.
DROP TRIGGER "AuditEvent_advance_head" ON "AuditEvent";
CREATE OR REPLACE FUNCTION strongroom_audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "AuditHead" SET "hash" = NEW."hash", "count" = "count" + 1 WHERE "chain" = NEW."chain" RETURNING "count" INTO NEW."number";
  IF NEW."number" IS NULL THEN
    RAISE EXCEPTION 'The audit chain head of % is missing', NEW."chain";
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "AuditEvent_advance_head" BEFORE INSERT ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION strongroom_audit_head_advance();
