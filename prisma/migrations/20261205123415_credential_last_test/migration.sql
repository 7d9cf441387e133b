-- Each credential carries its newest connection test's start, outcome and message, so the dashboard's counts,
-- its health filter and the Expiring view read one row per credential instead of probing every
-- history. A trigger keeps them, in the transaction that records the test; existing histories fill
-- them once here.
ALTER TABLE "Credential" ADD COLUMN "lastTestAt" TIMESTAMP(3),
ADD COLUMN "lastTestOutcome" "TestOutcome",
ADD COLUMN "lastTestMessage" TEXT;

UPDATE "Credential" c SET "lastTestAt" = t."startedAt", "lastTestOutcome" = t.outcome, "lastTestMessage" = t.message
  FROM (SELECT DISTINCT ON ("credentialId") "credentialId", "startedAt", outcome, message FROM "ConnectionTest" ORDER BY "credentialId", "startedAt" DESC) t
 WHERE c.id = t."credentialId";

-- Per statement, so a batch of tests (an import, a seed) updates each credential once, to its newest.
CREATE FUNCTION strongroom_credential_last_test() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Credential" c SET "lastTestAt" = n."startedAt", "lastTestOutcome" = n.outcome, "lastTestMessage" = n.message
    FROM (SELECT DISTINCT ON ("credentialId") "credentialId", "startedAt", outcome, message FROM inserted ORDER BY "credentialId", "startedAt" DESC) n
   WHERE c.id = n."credentialId" AND (c."lastTestAt" IS NULL OR c."lastTestAt" <= n."startedAt");
  RETURN NULL;
END;
$$;
CREATE TRIGGER "ConnectionTest_last_test" AFTER INSERT ON "ConnectionTest"
REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION strongroom_credential_last_test();
