-- Appending to an audit chain, as one function: the database keeps its plans (planning the statement
-- anew on every call was a third to half of its cost), and every writer links events the same way.
--
-- Appends `new_events` (a JSON array of events in order, each with its fields, its place "n" (1, 2, …)
-- and "canonical": the canonical JSON its hash covers, made by lib/server/audit/hash-audit-event.ts)
-- to the chain `for_chain`. It locks the chain's head (appenders queue there, across connections and
-- processes; after the wait the newest committed head is read; a chain's first append creates its
-- head at the genesis hash), links each event to the one before it with
-- hash = SHA-256(previous hash ‖ "\n" ‖ canonical), and inserts them in order; the insert's trigger
-- numbers each row and moves the head. Returns how many events were appended.
CREATE FUNCTION strongroom_append_audit(for_chain TEXT, new_events JSONB) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
  head_hash TEXT;
  prev_hashes TEXT[] := '{}';
  hashes TEXT[] := '{}';
  canonical TEXT;
  appended BIGINT;
BEGIN
  SELECT "hash" INTO head_hash FROM "AuditHead" WHERE "chain" = for_chain FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO "AuditHead" ("chain", "hash") VALUES (for_chain, repeat('0', 64)) ON CONFLICT DO NOTHING;
    SELECT "hash" INTO STRICT head_hash FROM "AuditHead" WHERE "chain" = for_chain FOR UPDATE;
  END IF;
  FOR canonical IN SELECT e->>'canonical' FROM jsonb_array_elements(new_events) e LOOP
    prev_hashes := prev_hashes || head_hash;
    head_hash := encode(sha256(convert_to(head_hash || E'\n' || canonical, 'UTF8')), 'hex');
    hashes := hashes || head_hash;
  END LOOP;
  INSERT INTO "AuditEvent" ("chain", "at", "actorType", "actorId", "actorLabel", "action", "targetType", "targetId",
                            "organizationId", "outcome", "ip", "userAgent", "details", "prevHash", "hash")
  SELECT for_chain, b."at", b."actorType", b."actorId", b."actorLabel", b."action", b."targetType", b."targetId",
         b."organizationId", b."outcome", b."ip", b."userAgent", b."details", prev_hashes[b.n], hashes[b.n]
    FROM jsonb_to_recordset(new_events) AS b(
      "n" INT, "at" TIMESTAMP(3), "actorType" "ActorType", "actorId" TEXT, "actorLabel" TEXT, "action" TEXT,
      "targetType" TEXT, "targetId" TEXT, "organizationId" UUID, "outcome" "AuditOutcome", "ip" TEXT,
      "userAgent" TEXT, "details" JSONB)
   ORDER BY b.n;
  GET DIAGNOSTICS appended = ROW_COUNT;
  RETURN appended;
END;
$$;
