-- AlterTable
ALTER TABLE "LegalEntity" ADD COLUMN     "externalRef" TEXT;
