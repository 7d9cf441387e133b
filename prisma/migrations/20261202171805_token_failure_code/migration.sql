-- AlterTable
ALTER TABLE "TokenGrant" ADD COLUMN     "lastErrorCode" TEXT;
