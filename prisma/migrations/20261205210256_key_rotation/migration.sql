-- CreateTable
CREATE TABLE "KeyRotation" (
    "id" UUID NOT NULL,
    "running" BOOLEAN,
    "targetKekId" TEXT NOT NULL,
    "targetProvider" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "KeyRotation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "KeyRotation_running_key" ON "KeyRotation"("running");
