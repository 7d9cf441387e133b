-- A credential's legal entity must be of the credential's organization (with the organization in the key).
-- Fails on a database that holds a credential under another organization's entity, which no code path writes.
-- DropForeignKey
ALTER TABLE "Credential" DROP CONSTRAINT "Credential_legalEntityId_fkey";

-- CreateIndex
CREATE UNIQUE INDEX "LegalEntity_id_organizationId_key" ON "LegalEntity"("id", "organizationId");

-- AddForeignKey
ALTER TABLE "Credential" ADD CONSTRAINT "Credential_legalEntityId_organizationId_fkey" FOREIGN KEY ("legalEntityId", "organizationId") REFERENCES "LegalEntity"("id", "organizationId") ON DELETE CASCADE ON UPDATE CASCADE;
