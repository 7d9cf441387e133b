-- CreateTable
CREATE TABLE "AuditSigningKey" (
    "id" CHAR(16) NOT NULL,
    "publicKey" TEXT NOT NULL,
    "kekId" TEXT NOT NULL,
    "wrappedKey" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retiredAt" TIMESTAMP(3),
    "rewrappedAt" TIMESTAMP(3),

    CONSTRAINT "AuditSigningKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditSigningKey_kekId_idx" ON "AuditSigningKey"("kekId");
