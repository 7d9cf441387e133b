-- The service API remembers service accounts and credentials per process (lib/server/api/principal-cache.ts).
-- A change to what it remembers is announced on the channel "strongroom_principals" as
-- "<table>:<id>" when its transaction commits, and counted in a sequence, which each process reads
-- every few seconds to catch a notification it missed (a listener that was reconnecting).
CREATE SEQUENCE "principal_changes";

CREATE FUNCTION strongroom_principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('principal_changes');
  PERFORM pg_notify('strongroom_principals', TG_TABLE_NAME || ':' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
  RETURN NULL;
END;
$$;

-- Only what the service API reads: not lastUsedAt, not a connection test's outcome, not a token refresh.
CREATE TRIGGER "ServiceAccount_principal_changed" AFTER UPDATE ON "ServiceAccount" FOR EACH ROW
  WHEN (OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt" OR OLD."keyHash" IS DISTINCT FROM NEW."keyHash"
     OR OLD.scopes IS DISTINCT FROM NEW.scopes OR OLD."legalEntityIds" IS DISTINCT FROM NEW."legalEntityIds"
     OR OLD.name IS DISTINCT FROM NEW.name OR OLD."organizationId" IS DISTINCT FROM NEW."organizationId")
  EXECUTE FUNCTION strongroom_principal_changed();
CREATE TRIGGER "ServiceAccount_principal_deleted" AFTER DELETE ON "ServiceAccount" FOR EACH ROW
  EXECUTE FUNCTION strongroom_principal_changed();

CREATE TRIGGER "Credential_principal_changed" AFTER UPDATE ON "Credential" FOR EACH ROW
  WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD."deletedAt" IS DISTINCT FROM NEW."deletedAt"
     OR OLD."expiresAt" IS DISTINCT FROM NEW."expiresAt" OR OLD."legalEntityId" IS DISTINCT FROM NEW."legalEntityId"
     OR OLD."organizationId" IS DISTINCT FROM NEW."organizationId"
     OR (OLD.status IS DISTINCT FROM NEW.status AND (OLD.status IN ('REVOKED', 'EXPIRED') OR NEW.status IN ('REVOKED', 'EXPIRED'))))
  EXECUTE FUNCTION strongroom_principal_changed();
CREATE TRIGGER "Credential_principal_deleted" AFTER DELETE ON "Credential" FOR EACH ROW
  EXECUTE FUNCTION strongroom_principal_changed();

CREATE TRIGGER "LegalEntity_principal_changed" AFTER UPDATE ON "LegalEntity" FOR EACH ROW
  WHEN (OLD."archivedAt" IS DISTINCT FROM NEW."archivedAt")
  EXECUTE FUNCTION strongroom_principal_changed();
