-- CreateEnum
CREATE TYPE "DataKeyPurpose" AS ENUM ('DATA', 'FINGERPRINT');

-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "deletedAt" TIMESTAMP(3),
ADD COLUMN     "revokedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "DataKey" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "purpose" "DataKeyPurpose" NOT NULL,
    "version" INTEGER NOT NULL,
    "kekId" TEXT NOT NULL,
    "wrappedKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrappedAt" TIMESTAMP(3),

    CONSTRAINT "DataKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SealedSecret" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "ownerTable" TEXT NOT NULL,
    "ownerId" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "dataKeyId" UUID NOT NULL,
    "sealed" TEXT NOT NULL,
    "fingerprint" CHAR(8) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SealedSecret_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DataKey_organizationId_purpose_version_key" ON "DataKey"("organizationId", "purpose", "version");

-- CreateIndex
CREATE INDEX "SealedSecret_organizationId_dataKeyId_idx" ON "SealedSecret"("organizationId", "dataKeyId");

-- CreateIndex
CREATE UNIQUE INDEX "SealedSecret_ownerTable_ownerId_field_key" ON "SealedSecret"("ownerTable", "ownerId", "field");

-- AddForeignKey
ALTER TABLE "DataKey" ADD CONSTRAINT "DataKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SealedSecret" ADD CONSTRAINT "SealedSecret_dataKeyId_fkey" FOREIGN KEY ("dataKeyId") REFERENCES "DataKey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
