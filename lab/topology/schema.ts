// The user-written topology: every field optional, checked with zod at the boundary.
import { z } from "zod";
import { MAX_CPUS } from "./links.js";
import { FILE_CACHES, PLANES, SERVICE_KINDS } from "./types.js";

const name = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "lowercase letters, digits and '-', starting with a letter");

export const TopologyInputSchema = z
  .object({
    cpus: z.number().int().min(1, `must be between 1 and ${MAX_CPUS}`).max(MAX_CPUS, `must be between 1 and ${MAX_CPUS}`).optional(),
    cpu: z
      .object({
        cpus: z.number().positive().max(2).optional(),
        memoryMb: z.number().int().min(64).max(4096).optional(),
      })
      .strict()
      .optional(),
    planes: z
      .array(z.enum(PLANES, { message: `unknown plane; allowed: ${PLANES.join(", ")}` }))
      .min(1)
      .max(2)
      .optional(),
    disks: z
      .object({ mirrors: z.number().int().min(2, "a RAID-1 mirror needs at least 2 disks").max(4).optional() })
      .strict()
      .optional(),
    services: z
      .array(
        z
          .object({
            name,
            /** Default: the kind named like the service (a service "mail" is mail), else web. */
            kind: z.enum(SERVICE_KINDS, { message: `unknown service kind; allowed: ${SERVICE_KINDS.join(", ")}` }).optional(),
            cache: z.enum(FILE_CACHES, { message: `allowed: ${FILE_CACHES.join(", ")}` }).optional(),
            port: z.number().int().min(1024).max(19999).optional(),
            primary: z.string(),
            backup: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
    heartbeat: z
      .object({
        periodMs: z.number().int().min(10).max(5000).optional(),
        missed: z.number().int().min(1).max(20).optional(),
        endedLinks: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

type SchemaInput = z.input<typeof TopologyInputSchema>;
export type ServiceInput = NonNullable<SchemaInput["services"]>[number];

/** `services: "all"` is every service of the paper (../topology/resolve.ts places them). */
export type TopologyInput = Omit<SchemaInput, "services"> & { services?: ServiceInput[] | "all" };
